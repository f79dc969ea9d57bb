"""The figures of one branch (or a total) in report wording, and what the ledger shows fell short.

Every figure comes from `statistics.Stats` (the same numbers as 统计表.xlsx and `taizhang stats`),
written in the one style of `words` (no thousands separators, one-decimal percentages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from taizhang.problems import Problem, Severity
from taizhang.reports.words import counted, money, name_list, percent
from taizhang.statistics.model import (
    AGE_BANDS,
    EDUCATION,
    PIPELINE,
    UNKNOWN,
    BranchStats,
    Compliance,
)


@lru_cache(maxsize=1)
def education_values() -> tuple[str, ...]:
    """The 学历 values the roster definition allows (a breakdown lists only these)."""
    try:
        from taizhang.workspace.definitions import load_definitions

        values = tuple(load_definitions().ledger("roster").column("education").values)
    except Exception:  # noqa: BLE001 - the shipped list when the definitions cannot be read
        values = ()
    return values or EDUCATION


def members(b: BranchStats) -> dict[str, Any]:
    """党员 in standing: totals, 性别, age bands and 学历 (only the defined values; anything else
    is counted as 未填或填写不规范)."""
    m = b.membership
    if m is None:
        return {"total": 0, "full": 0, "probationary": 0, "male": 0, "female": 0,
                "age_text": "", "education_text": "", "unknown_gender": 0}
    age = counted(((a, m.by_age.get(a, 0)) for a in AGE_BANDS), "名")
    valid = education_values()
    edu = counted(((e, m.by_education.get(e, 0)) for e in valid), "名")
    other = sum(n for e, n in m.by_education.items() if e not in valid)
    if other:
        edu += ("、" if edu else "") + f"学历未填或填写不规范{other}名"
    return {"total": m.total, "full": m.full, "probationary": m.probationary,
            "male": m.by_gender.get("男", 0), "female": m.by_gender.get("女", 0),
            "unknown_gender": m.by_gender.get(UNKNOWN, 0), "age_text": age, "education_text": edu}


def meetings(b: BranchStats, has_committee: bool) -> dict[str, Any]:
    """三会一课 counts and the 支部党员大会 attendance rate."""
    me = b.meetings
    groups = b.rule("MEET-GROUP-M")
    has_groups = bool(me and me.group) or bool(groups and groups.applies)
    if me is None:
        return {"general": 0, "committee": 0, "committee_topics": 0, "group": 0, "lectures": 0,
                "secretary_lectures": 0, "attendance": "", "total": 0,
                "has_committee": has_committee, "has_groups": has_groups}
    return {"general": me.general, "committee": me.committee, "committee_topics": me.committee_topics,
            "group": me.group, "lectures": me.lectures, "secretary_lectures": me.secretary_lectures,
            "attendance": percent(me.attendance_rate) if me.attendance_rate is not None else "",
            "total": me.total, "has_committee": has_committee or me.committee > 0,
            "has_groups": has_groups}


ACTIVITY_KEYS = {"主题党日": "theme", "组织生活会": "life_meeting", "民主评议党员": "review",
                 "谈心谈话": "talks", "集中学习研讨": "study", "参观见学": "visits",
                 "重温入党誓词": "oath", "政治生日": "birthday", "警示教育": "warning",
                 "志愿服务": "volunteer", "其他": "other"}


def activities(b: BranchStats) -> dict[str, Any]:
    """组织生活 counts by type, 谈心谈话 人次 and the participants, with a sentence of them."""
    a = b.activities
    by_type = dict(a.by_type) if a else {}
    data: dict[str, Any] = {key: by_type.get(kind, 0) for kind, key in ACTIVITY_KEYS.items()}
    talk_times = a.talk_person_times if a else 0
    parts = [f"{kind}{n}次" for kind, n in by_type.items() if n and kind not in ("谈心谈话", "其他")]
    if by_type.get("其他"):
        parts.append(f"其他活动{by_type['其他']}次")
    if talk_times:
        parts.append(f"谈心谈话{talk_times}人次")
    elif by_type.get("谈心谈话"):
        parts.append(f"谈心谈话{by_type['谈心谈话']}次")
    total = a.total if a else 0
    participants = a.participants if a else 0
    if parts:
        text = "开展" + "、".join(parts)
        if participants:
            text += f"，参加活动的党员共计{participants}人次"
        text += "。"
    else:
        text = "台账中没有组织生活的记录。"
    data.update(talk_times=talk_times, total=total, participants=participants, text=text)
    return data


def dues(b: BranchStats, *, with_names: bool = True) -> dict[str, Any]:
    """党费 due and paid (元, two decimals), the rate, members in arrears."""
    d = b.dues
    if d is None:
        return {"due": money(None), "paid": money(None), "rate": "—", "arrears_count": 0,
                "arrears_names": "", "members": 0, "full_rate": False, "any_due": False}
    return {"due": money(d.due), "paid": money(d.paid), "rate": percent(d.rate) if d.rate is not None else "—",
            "arrears_count": d.arrears_count,
            "arrears_names": name_list(d.arrears, limit=10, unit="名") if with_names else "",
            "members": d.members, "any_due": d.due_exact > 0,
            "full_rate": d.rate is not None and d.rate >= 100}


def recruitment(b: BranchStats) -> dict[str, Any]:
    """发展党员 steps in the period and the pipeline at its end."""
    r = b.recruitment
    keys = ("applicants", "activists", "candidates", "probationary")
    if r is None:
        return {"applied": 0, "activists": 0, "candidates": 0, "admitted": 0, "confirmed": 0,
                "any": False, "pipeline": dict.fromkeys(keys, 0), "pipeline_any": False}
    pipe = {k: r.pipeline.get(stage, 0) for k, stage in zip(keys, PIPELINE)}
    steps = (r.applied, r.activists, r.candidates, r.admitted, r.confirmed)
    return {"applied": r.applied, "activists": r.activists, "candidates": r.candidates,
            "admitted": r.admitted, "confirmed": r.confirmed, "any": any(steps),
            "pipeline": pipe, "pipeline_any": any(pipe.values())}


def rule_name(c: Compliance) -> str:
    """"支部党员大会" from "支部党员大会（每季度至少1次）"."""
    return c.title.split("（")[0]


def rule_text(c: Compliance) -> str:
    """"每季度至少1次" from the title."""
    return c.title[len(rule_name(c)):].strip("（）")


def _verdict(c: Compliance) -> str:
    if not c.applies:
        return f"不适用（{c.reason}）" if c.reason else "不适用"
    if c.met:
        return "达标"
    return f"未达标（{short_units(c.short)}）" if c.short else "未达标"


def short_units(units: Sequence[str]) -> str:
    """"2025年1月、2025年3月" → "1月、3月" when all are in one year (shorter, as people write)."""
    years = {u[:5] for u in units if re.match(r"^\d{4}年", u)}
    if len(years) == 1 and all(re.match(r"^\d{4}年.+", u) for u in units):
        return "、".join(u[5:] for u in units)
    return "、".join(units)


def compliance(b: BranchStats) -> dict[str, Any]:
    """The frequency rules: a table row each, and what fell short in words."""
    rows = [{"title": c.title, "required": c.required if c.applies else "—",
             "held": c.held if c.applies else "—", "verdict": _verdict(c)} for c in b.compliance]
    short = [c for c in b.compliance if c.applies and not c.met]
    applying = [c for c in b.compliance if c.applies]
    if not applying:
        summary = "本期间还没有已结束的月份或季度，暂不评价组织生活次数。"
    elif not short:
        summary = f"对照规定的次数，{len(applying)}项组织生活制度均已落实。"
    else:
        summary = (f"对照规定的次数，{len(applying)}项组织生活制度中有{len(short)}项未达到要求："
                   + "、".join(rule_name(c) for c in short) + "。")
    return {"rows": rows, "summary": summary, "short_count": len(short), "met_all": bool(applying) and not short,
            "applies": bool(applying)}


def shortfall_sentence(c: Compliance) -> str:
    """One frequency rule that fell short, with the figures."""
    if c.rule_id == "MEET-LECTURE-SEC":
        return f"{rule_name(c)}：按规定{rule_text(c)}，台账中书记讲党课{c.held}次，未达到要求。"
    return (f"{rule_name(c)}：按规定{rule_text(c)}，应达到{c.required}次，实际{c.held}次，"
            f"{short_units(c.short)}未达到要求。")


def findings(b: BranchStats, problems: Sequence[Problem], *, current_round: bool, label: str = "") -> list[str]:
    """What the ledger itself shows needs improving: frequency shortfalls, dues in arrears, errors
    still open in the current return; each sentence starts with `label` (the year, in a term)."""
    out = [label + shortfall_sentence(c) for c in b.short]
    d = b.dues
    if d is not None and d.arrears_count:
        names = name_list(d.arrears, limit=10, unit="名")
        out.append(f"{label}党费收缴：{d.arrears_count}名党员（{names}）有已到期的月份未交纳党费，"
                   f"收缴率{percent(d.rate)}。")
    if current_round and problems:
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
        if errors or warnings:
            parts = [f"{errors}处错误" if errors else "", f"{warnings}处警告" if warnings else ""]
            out.append(f"{label}台账填报：检查发现{'、'.join(p for p in parts if p)}，需要对照反馈表逐项核对改正。")
    return out


def branch_figures(b: BranchStats) -> dict[str, Any]:
    """The figures of one branch (or a total) in report wording."""
    has_committee = b.has_committee
    return {
        "members": members(b), "meetings": meetings(b, has_committee), "activities": activities(b),
        "dues": dues(b), "recruitment": recruitment(b), "compliance": compliance(b),
        "has_committee": has_committee,
    }
