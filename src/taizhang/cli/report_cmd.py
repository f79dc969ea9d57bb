"""report: write the Word reports from the ledgers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from taizhang.cli.common import (
    AsOfOpt,
    JsonOpt,
    Prose,
    console,
    find_workspace,
    handle_errors,
    parse_as_of,
    parse_date,
    plain,
    print_json,
    print_warnings,
    progress_bar,
    table,
)
from taizhang.errors import InputError
from taizhang.party.periods import HELP as PERIOD_HELP
from taizhang.party.periods import parse_period
from taizhang.reports.kinds import BRANCH, find_kind, kinds_text

if TYPE_CHECKING:
    from taizhang.reports.generate import ReportRun

KIND_HELP = "报告种类，写全称或括号里的简称：" + kinds_text() + "。"


@handle_errors
def report(
    kind: Annotated[str, typer.Argument(metavar="报告种类", help=KIND_HELP, show_default=False)],
    branch: Annotated[list[str] | None, typer.Option(
        "--branch", "-b", metavar="支部编码", help="只为这些支部生成。", show_default=False)] = None,
    all_branches: Annotated[bool, typer.Option(
        "--all", help="为每个已报送台账的支部各生成一份（支部的报告不写 --branch 时也是如此）。")] = False,
    period: Annotated[str | None, typer.Option(
        "--period", "-p", metavar="期间", help=PERIOD_HELP + "默认：年度报告为工作区的年度，季度报告为最近结束的季度，"
        "换届报告为截至工作区年度的三年。", show_default=False)] = None,
    template: Annotated[Path | None, typer.Option(
        "--template", metavar="Word模板文件", help="使用这个 Word 模板（默认用工作区 report_templates/ 里的同名模板，没有则用自带的）。",
        show_default=False)] = None,
    as_of: AsOfOpt = None,
    date_: Annotated[str | None, typer.Option(
        "--date", metavar="日期", help="落款日期（默认与 --as-of 相同），如 2026-01-25 或 2026年1月25日。",
        show_default=False)] = None,
    year: Annotated[int | None, typer.Option(
        "--year", metavar="年度", help="哪一年的报告（默认工作区设置的年度）：不写 --period 时按这一年取默认的统计期间。",
        show_default=False)] = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", metavar="单位编码", help="只统计这个组织（党总支等，写编码）所属的支部：全单位的报告就写成这个组织的报告。",
        show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="有错误的台账不纳入统计。")] = False,
    show_fields: Annotated[bool, typer.Option(
        "--fields", help="不生成报告，列出这种报告的模板可以使用的占位符和示例值（改模板时参考）。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """生成 Word 报告（公文格式）到 output/reports/：支部年度、季度、换届报告，书记述职报告，党委年度党建工作总结，台账检查情况通报。"""
    from taizhang.reports.generate import fields, generate
    ws = find_workspace()
    k = find_kind(kind)
    p = parse_period(period, year or ws.settings.year) if period else None
    day = parse_as_of(as_of)
    if show_fields:
        values = fields(ws, k, period=p, code=branch[0] if branch else None, as_of=day, year=year)
        if as_json:
            print_json(values)
            return
        console.print(table(f"{k.name}模板可用的占位符（写成 {{{{ 占位符 }}}}）", ["占位符", "示例值"],
                            [[name, _short(v)] for name, v in values.items()], long=["示例值"]))
        return
    if k.scope != BRANCH and (branch or all_branches):
        raise InputError(f"{k.name}是全单位的一份报告，不用写 --branch 或 --all。")
    if branch and all_branches:
        raise InputError("--branch 和 --all 只能选一个。")
    with progress_bar("生成报告", 0, enabled=not as_json) as bar:
        task = bar.add_task(f"生成{k.name}", total=None, item="")

        def step(label: str, done: int, total: int) -> None:
            bar.update(task, total=total, completed=done, item=label[-30:])

        run = generate(ws, k, branches=branch or None, period=p, template=template, as_of=day,
                       report_date=parse_date(date_, "--date"), strict=strict, unit=unit, progress=step,
                       year=year)
    if as_json:
        print_json(run.to_dict())
        return
    _render(run, ws.root)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:58] + "……"


def _render(run: ReportRun, root: Path) -> None:
    console.print(Prose(Text.from_markup(f"[bold]{plain(run.period)}{plain(run.kind)}[/]：已生成{len(run.written)}份"
                                         f"（模板：{plain(Path(run.template).name)}）")))

    def shown(path: str) -> str:  # inside the workspace, the path from its root: short enough to read
        p = Path(path)
        return str(p.relative_to(root)) if p.is_relative_to(root) else str(p)

    folders = sorted({shown(str(Path(w.path).parent)) for w in run.written})
    for w in run.written[:20]:
        console.print(Prose("  " + shown(w.path)))
    if len(run.written) > 20:
        console.print(Prose(f"  ……另有{len(run.written) - 20}份，在 {'、'.join(folders)}"))
    if run.skipped:
        console.print(Prose(Text("未生成：", style="yellow") +
                            Text("、".join(f"{s['name']}（{s['reason']}）" for s in run.skipped))))
    print_warnings(run.warnings)


def register(app: typer.Typer) -> None:
    """Add this command to the app."""
    app.command("report")(report)
