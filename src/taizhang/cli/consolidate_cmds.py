"""consolidate, stats."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from taizhang.cli.common import (
    AsOfOpt,
    BranchOpt,
    JsonOpt,
    UnitOpt,
    YearOpt,
    console,
    find_workspace,
    handle_errors,
    parse_as_of,
    plain,
    print_json,
    print_warnings,
    table,
)
from taizhang.errors import InputError
from taizhang.party.periods import HELP as PERIOD_HELP
from taizhang.party.periods import parse_period
from taizhang.statistics.model import BranchStats, Stats, percent_text

if TYPE_CHECKING:
    from taizhang.consolidate import ConsolidateResult

StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="严格汇总：有错误的台账不纳入统计（并写明是哪些支部）。")]
PeriodOpt = Annotated[str | None, typer.Option(
    "--period", "-p", metavar="期间", show_default=False, help=PERIOD_HELP + "默认工作区设置的年度。")]


def _money(value: Any) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _or_dash(value: Any) -> Any:
    return "—" if value is None else value


@handle_errors
def consolidate(
    year: YearOpt = None,
    strict: StrictOpt = False,
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """汇总各支部当前报送的台账，生成 output/汇总台账.xlsx 和 output/统计表.xlsx（表1至表5，含图表）。"""
    from taizhang.consolidate import consolidate as consolidate_workspace
    ws = find_workspace()
    day = parse_as_of(as_of)
    result = consolidate_workspace(ws, year=year, strict=strict, as_of=day, unit=unit)
    if as_json:
        print_json(result.to_dict())
        return
    _render_result(result)
    print_warnings(result.warnings)


def _render_result(result: ConsolidateResult) -> None:
    s = result.stats
    console.print(f"[bold]{s.period.label}台账汇总完成[/]，已生成：")
    console.print(f"  汇总台账：{plain(result.ledger_path)}")
    console.print(f"  统计表：  {plain(result.stats_path)}")
    counted = [b for b in s.per_branch if b.returned]
    scope = f"“{result.unit_name}”所属" if result.unit else "支部名单"
    console.print(f"{scope}共{result.branches}个支部，{len(counted)}个支部的台账纳入汇总。")
    if result.missing:
        console.print("[yellow]未报送：[/]" + plain("、".join(m["name"] for m in result.missing)))
    if result.excluded:
        console.print("[red]有错误、未纳入汇总（--strict）：[/]"
                      + plain("、".join(f"{e.name}（{e.errors}处错误）" for e in result.excluded)))
    if result.unlisted:
        console.print("[yellow]不在支部名单中、未纳入统计：[/]"
                      + plain("、".join(f"{u['name']}（{u['code']}）" for u in result.unlisted)))
    problems = "，".join(f"{k}{v}个" for k, v in result.problems.items() if v)
    if problems:
        console.print(f"当前报送中的问题：{problems}，详见汇总台账的“问题清单”工作表。")
    _render_key_figures(s)


def _render_key_figures(s: Stats) -> None:
    t = s.total
    if not t.returned:
        return
    m, d, me = t.membership, t.dues, t.meetings
    parts = []
    if m is not None:
        parts.append(f"党员{m.total}名（正式党员{m.full}名、预备党员{m.probationary}名）")
    if me is not None:
        parts.append(f"召开支部党员大会{me.general}次、支委会{me.committee}次、党小组会{me.group}次，讲党课{me.lectures}次")
    if d is not None:
        parts.append(f"应交党费{_money(d.due)}元、实交{_money(d.paid)}元，收缴率{d.rate_display}")
    console.print("合计：" + "；".join(parts) + "。")
    short = s.short_branches()
    if short:
        console.print(f"[yellow]有{len(short)}个支部的组织生活未达到规定次数[/]，见统计表“是否达标”列。")


@handle_errors
def stats(
    period: PeriodOpt = None,
    branch: BranchOpt = None,
    year: YearOpt = None,
    unit: UnitOpt = None,
    strict: StrictOpt = False,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """统计主要数据：党员、三会一课、组织生活、党费、发展党员和达标情况。"""
    from taizhang.consolidate import figures
    from taizhang.levels import hierarchy
    ws = find_workspace()
    p = parse_period(period, year or ws.settings.year)
    result = figures(ws, p, as_of=parse_as_of(as_of), strict=strict, unit=unit)
    if branch:
        code = hierarchy.load(ws).branch(branch).code
        if result.branch(code) is None:
            raise InputError(f"支部 {code} 不在“{result.unit_name}”所属的支部中。")
        result = result.only(code)
    if as_json:
        print_json(result.to_dict())
        return
    _render_stats(result)


def _cells(b: BranchStats, *values: Any) -> list[Any]:
    if not b.returned:
        return [b.name, "有错误，未纳入" if b.excluded else "未报送"] + ["" for _ in values[1:]]
    return [b.name, *(_or_dash(v) for v in values)]


def _render_stats(s: Stats) -> None:
    rows = [*s.per_branch, s.total] if len(s.per_branch) > 1 else list(s.per_branch)
    rows += [replace(g.total, name="　" * g.depth + f"其中：{g.name}") for g in s.groups]
    note = f"（党员按{s.snapshot.isoformat()}在册计算）"
    label = s.period.label + s.unit_name
    console.print(table(f"{label}党员情况{note}", ["支部", "党员", "正式", "预备", "男", "女", "30岁及以下", "61岁及以上"], [
        _cells(b, *(
            (b.membership.total, b.membership.full, b.membership.probationary, b.membership.by_gender.get("男"),
             b.membership.by_gender.get("女"), b.membership.by_age.get("30岁及以下"),
             b.membership.by_age.get("61岁及以上")) if b.membership else (None,) * 7))
        for b in rows
    ]))
    console.print(table(f"{label}三会一课", ["支部", "党员大会", "平均出席率", "支委会", "议题", "党小组会", "党课", "书记讲党课"], [
        _cells(b, *(
            (b.meetings.general, percent_text(b.meetings.attendance_rate), b.meetings.committee,
             b.meetings.committee_topics, b.meetings.group, b.meetings.lectures, b.meetings.secretary_lectures)
            if b.meetings else (None,) * 7))
        for b in rows
    ]))
    console.print(table(f"{label}组织生活和党费", ["支部", "主题党日", "组织生活会", "民主评议", "谈心谈话人次", "应交(元)", "实交(元)", "收缴率", "欠交人数"], [
        _cells(b, *(
            (b.activities.by_type.get("主题党日", 0), b.activities.by_type.get("组织生活会", 0),
             b.activities.by_type.get("民主评议党员", 0), b.activities.talk_person_times,
             _money(b.dues.due), _money(b.dues.paid), b.dues.rate_display, b.dues.arrears_count)
            if b.activities and b.dues else (None,) * 8))
        for b in rows
    ]))
    console.print(table(f"{label}发展党员（期末：{s.snapshot.isoformat()}）", ["支部", "递交申请书", "确定积极分子", "确定发展对象", "接收预备党员", "转正", "期末申请人", "期末积极分子", "期末发展对象", "期末预备党员"], [
        _cells(b, *(
            (b.recruitment.applied, b.recruitment.activists, b.recruitment.candidates, b.recruitment.admitted,
             b.recruitment.confirmed, *b.recruitment.pipeline.values()) if b.recruitment else (None,) * 9))
        for b in rows
    ]))
    if s.per_year:
        _render_years(s)
    short = [(b, c) for b in s.per_branch for c in b.short]
    if short:
        console.print(table("未达到规定次数的项目", ["支部", "项目", "应开", "实开", "未达到的月份（季度、年度）"], [
            [b.name, c.title, c.required, c.held, "、".join(c.short)] for b, c in short
        ]))
    elif s.elapsed is not None and s.returned:
        console.print("[green]已报送的支部均达到规定的组织生活次数。[/]")
    if s.excluded:
        console.print("有错误、未纳入统计：" + plain("、".join(f"{e.name}（{e.year}年，{e.errors}处错误）" for e in s.excluded)))


def _render_years(s: Stats) -> None:
    """A term: one row per year, each from that year's returns, and the 合计 (flows summed; the
    members at the end of the last year returned, labelled with it)."""
    def row(label: str, b: BranchStats, returned: Any, members: Any) -> list[Any]:
        if not b.returned:
            return [label, "未报送"] + [""] * 10
        me, ac, du, rc = b.meetings, b.activities, b.dues, b.recruitment
        assert me and ac and du and rc
        return [label, returned, members, me.general, me.committee, me.group, me.lectures,
                ac.by_type.get("主题党日", 0), _money(du.due), _money(du.paid), rc.admitted, rc.confirmed]

    rows = [row(f"{year}年", ys.total, len(ys.returned), ys.total.membership.total if ys.total.membership else "")
            for year, ys in sorted(s.per_year.items())]
    total = s.total
    when = f"{total.stock_year}年底" if total.stock_year else "各支部最近一年年底"
    members = f"{total.membership.total}（{when}）" if total.membership else ""
    rows.append(row("合计", total, "", members))
    console.print(table(f"{s.period.label}{s.unit_name}逐年情况（每年的数字取自当年的台账）",
                        ["年度", "报送支部", "党员", "党员大会", "支委会", "党小组会", "党课", "主题党日", "应交(元)",
                         "实交(元)", "接收预备党员", "转正"], rows))


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command("consolidate")(consolidate)
    app.command("stats")(stats)
