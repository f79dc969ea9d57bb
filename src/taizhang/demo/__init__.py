"""The demo: a complete workspace for a fictional 机关党委, run through every stage.

Deterministic for a seed: the same branches, members, events and planted mistakes every time.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang import clock
from taizhang import workspace as workspace_mod
from taizhang.errors import WorkspaceExists
from taizhang.safeio import atomic_write_text
from taizhang.vocabulary import ISSUED
from taizhang.workspace import branches as branches_mod

if TYPE_CHECKING:
    from taizhang.workspace import Workspace

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoClock:
    """The demo's calendar, derived from the ledger year alone (never from today), so its story
    holds together in any year it is run: the committee issues the ledgers early in January of the
    ledger year; its 党总支 issue theirs a few days later and want them back by 10 January of the
    next year, collect, and roll up two days after; the branches send theirs in the ten days
    before the committee's deadline of 15 January (one three days late, one not at all); the
    office collects on 20 January and writes its statistics and reports that day."""

    year: int

    @property
    def issued(self) -> datetime:
        """When the committee issues the year's ledgers."""
        return datetime(self.year, 1, 8, 9, 0)

    @property
    def lower_issued(self) -> datetime:
        """When a 党总支 issues its branches' ledgers."""
        return datetime(self.year, 1, 12, 9, 0)

    @property
    def lower_deadline(self) -> date:
        """The deadline a 党总支 gives its branches."""
        return date(self.year + 1, 1, 10)

    @property
    def rolled_up(self) -> datetime:
        """When a 党总支 collects its branches' returns and makes its roll-up."""
        return datetime.combine(self.lower_deadline + timedelta(days=2), time(15, 0))

    @property
    def deadline(self) -> date:
        """The committee's deadline for the branches."""
        return date(self.year + 1, 1, 15)

    @property
    def collected(self) -> date:
        """The day the office collects, consolidates and writes its reports (after the deadline)."""
        return self.deadline + timedelta(days=5)

    def at(self, day: date, hour: int = 9) -> datetime:
        """A moment of a day of the story."""
        return datetime.combine(day, time(hour, 0))


@dataclass
class DemoReport:
    """What the demo built, stage by stage."""

    root: str
    seed: int
    year: int
    as_of: str
    branches: int = 0
    issued: list[str] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)
    mistakes: list[dict[str, Any]] = field(default_factory=list)
    collect: dict[str, Any] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # branches whose return has not come in
    sub_units: list[dict[str, Any]] = field(default_factory=list)  # the 党总支 that roll up

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


def build_demo(root: Path, *, seed: int = 2025, year: int = 2025, stages: str = "all",
               progress: Progress | None = None) -> DemoReport:
    """Build the demo workspace in `root` and run it through issue, fill, collect and the outputs.

    `stages`: "returns" stops after writing the filled returns to inbox/; "all" goes on to collect,
    consolidate and report. Refuses a folder that already holds a workspace.
    """
    from taizhang.collect import collect
    from taizhang.demo import data as demo_data
    from taizhang.demo import fill, organisation
    from taizhang.issue import issue_workspace
    from taizhang.issue.workbook import workbook_name

    say = progress or (lambda _m: None)
    days = DemoClock(year)
    root = Path(root).expanduser().resolve()
    if workspace_mod.is_workspace(root):
        raise WorkspaceExists(f"{root} 已经是一个工作区。演示会新建工作区，请换一个文件夹，或先删除它。")
    rng = random.Random(seed)
    org = organisation.demo_organisation()
    deadline, as_of = days.deadline, days.collected
    ws = workspace_mod.init(root, org=org["name"], year=year, deadline=deadline, code=org.get("code", ""))
    _set_contact(ws.config_path, org.get("contact", ""), org.get("phone", ""))
    branch_rows = organisation.demo_branches(rng)
    sub_units = organisation.demo_sub_units(random.Random(f"{seed}-党总支"))
    branches_mod.write_template(ws.branches_path, [b.__dict__ if hasattr(b, "__dict__") else dict(b) for b in branch_rows]
                                + _sub_unit_rows(sub_units))
    report = DemoReport(root=str(root), seed=seed, year=year, as_of=as_of.isoformat(), branches=len(branch_rows))
    say(f"已创建演示工作区 {root}（{org['name']}，{len(branch_rows)}个支部）")

    ws = workspace_mod.Workspace(root)
    with clock.fixed(days.issued):
        issued = issue_workspace(ws)
    report.issued = [r.path for r in issued.results if r.status == ISSUED]
    say(f"已下发 {len(report.issued)} 个台账到 outbox/，下发通知：{Path(issued.notice).name if issued.notice else '无'}")

    branch_list = branches_mod.issuable(branches_mod.read(ws.branches_path)[0])
    fills = {b.code: demo_data.generate_branch(rng, b, year, as_of) for b in branch_list}
    mistakes = demo_data.plant_mistakes(rng, fills, year)
    report.mistakes = [m.__dict__ for m in mistakes]
    inbox = ws.folder("inbox")
    sent = _return_days(rng, branch_list, fills, mistakes, deadline)
    for b in branch_list:
        issued_path = ws.root / "outbox" / workbook_name(b, year)
        if b.code not in sent:
            report.withheld.append(b.name)
            continue
        out = inbox / f"{b.name}{year}年台账（报送）.xlsx"
        fill.fill_workbook(issued_path, out, fills[b.code], ws.definitions)
        stamp = datetime.combine(sent[b.code], time(9, 30)).timestamp()
        os.utime(out, (stamp, stamp))  # collect dates a return by its file's time
        report.returns.append(str(out))
    late = [b.name for b in branch_list if b.code in sent and sent[b.code] > deadline]
    say(f"已模拟各支部填写台账（含{len(mistakes)}处常见错误），报回的文件在 inbox/"
        + (f"；{'、'.join(late)}逾期报送" if late else "")
        + (f"；{'、'.join(report.withheld)}尚未报送" if report.withheld else ""))
    report.sub_units = _second_level(ws, sub_units, seed=seed, days=days, say=say)
    if stages == "returns":
        return report

    with clock.fixed(days.at(as_of)):
        collected = collect(ws, as_of=as_of)
    report.collect = collected.to_dict()["counts"]
    report.feedback = [f.feedback for f in collected.files if f.feedback]
    say("已收集：" + "，".join(f"{k}{v}个" for k, v in report.collect.items())
        + f"；为{len(report.feedback)}个支部生成了反馈表（feedback/）")
    with clock.fixed(days.at(as_of, 15)):
        report.outputs = _consolidate(ws, as_of, say)
        report.reports = _reports(ws, as_of, say)
    return report


def _return_days(rng: random.Random, branch_list: list[Any], fills: dict[str, Any], mistakes: list[Any],
                 deadline: date) -> dict[str, date]:
    """The day each branch sent its return: most in the ten days before the deadline, the branch
    that is behind with its meetings three days late, and one clean branch not at all yet."""
    with_mistakes = {m.branch_code for m in mistakes}
    clean = [b.code for b in branch_list if b.code not in with_mistakes and not fills[b.code].lazy]
    withheld = rng.choice(clean) if len(clean) > 1 else None
    days = {}
    for b in branch_list:
        if b.code == withheld:
            continue
        if fills[b.code].lazy:
            days[b.code] = deadline + timedelta(days=3)
        else:
            days[b.code] = deadline - timedelta(days=rng.randint(0, 9))
    return days


SUB_UNITS_FOLDER = "下级党总支"


def _sub_unit_rows(sub_units: list[Any]) -> list[dict[str, str]]:
    """The 党总支 rows of the committee's 支部名单 (组织类别 党总支: they get no ledger)."""
    return [{**su.row.as_row(), "kind": branches_mod.GENERAL_BRANCH} for su in sub_units]


def _second_level(ws: Workspace, sub_units: list[Any], *, seed: int, days: DemoClock,
                  say: Progress) -> list[dict[str, Any]]:
    """Each 党总支 as its own workspace in 下级党总支/<name>/: the committee links it, it imports
    the key, issues to its branches, they fill in, it collects and rolls up; the roll-up goes
    into the committee's inbox/ beside the branches' returns."""
    import shutil

    from taizhang.collect import collect
    from taizhang.demo import data as demo_data
    from taizhang.demo import fill
    from taizhang.issue import issue_workspace
    from taizhang.issue.workbook import workbook_name
    from taizhang.levels import links
    from taizhang.levels.send import rollup

    rng = random.Random(f"{seed}-党总支台账")
    year, as_of = days.year, days.rolled_up.date()
    done = []
    for su in sub_units:
        with clock.fixed(days.issued):
            added = links.add(ws, su.row.code)
        lower = workspace_mod.init(ws.root / SUB_UNITS_FOLDER / su.row.name, org=su.org_name, year=year,
                                   deadline=days.lower_deadline, code=su.row.code)
        _set_contact(lower.config_path, su.row.contact, su.row.phone)
        branches_mod.write_template(lower.branches_path, [b.as_row() for b in su.branches])
        with clock.fixed(days.lower_issued):
            links.import_link(lower, added.path)
            added.path.unlink()  # handed over and imported: the key file is not kept
            lower = workspace_mod.Workspace(lower.root)
            issue_workspace(lower)
        inbox = lower.folder("inbox")
        for b in branches_mod.read(lower.branches_path)[0]:
            out = inbox / f"{b.name}{year}年台账（报送）.xlsx"
            fill.fill_workbook(lower.root / "outbox" / workbook_name(b, year), out,
                               demo_data.generate_branch(rng, b, year, days.collected), lower.definitions)
            sent = datetime.combine(lower.settings.deadline - timedelta(days=rng.randint(0, 6)), time(10, 0))
            os.utime(out, (sent.timestamp(), sent.timestamp()))
        with clock.fixed(days.rolled_up):
            collect(lower, as_of=as_of)
            result = rollup(lower, as_of=as_of)
        shutil.copy2(result.path, ws.folder("inbox") / result.path.name)
        done.append({"code": su.row.code, "name": su.row.name, "workspace": str(lower.root),
                     "branches": [b.code for b in su.branches], "rollup": str(result.path),
                     "fingerprint": result.identity.fingerprint})
        say(f"{su.row.name}：在 {SUB_UNITS_FOLDER}/{su.row.name}/ 收集了{len(result.returned)}个支部的台账，"
            f"汇总报送文件已放进 inbox/")
    return done


def _set_contact(path: Path, contact: str, phone: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace('contact = ""', f'contact = "{contact}"', 1).replace('phone = ""', f'phone = "{phone}"', 1)
    atomic_write_text(path, text)


def _consolidate(ws: Workspace, as_of: date, say: Progress) -> list[str]:
    from taizhang.consolidate import consolidate

    result = consolidate(ws, as_of=as_of)
    paths = [str(p) for p in result.paths]
    say("已汇总：" + "、".join(Path(p).name for p in paths) + "（output/）")
    return paths


def _reports(ws: Workspace, as_of: date, say: Progress) -> list[str]:
    from taizhang.reports.generate import generate_all

    paths = [str(p) for p in generate_all(ws, as_of=as_of)]
    say(f"已生成 {len(paths)} 份报告（output/reports/）：各支部的年度、季度、换届报告和书记述职报告，"
        "党委年度党建工作总结，台账检查情况通报")
    return paths
