"""issue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from taizhang.cli.common import (
    JsonOpt,
    console,
    find_workspace,
    handle_errors,
    plain,
    print_json,
    problems_table,
    progress_bar,
    table,
)
from taizhang.issue import IssueResult, issue_workspace
from taizhang.vocabulary import FAILED, ISSUED


@handle_errors
def issue(
    branch: Annotated[Optional[list[str]], typer.Option(
        "--branch", "-b", metavar="支部编码", show_default=False, help="只下发给这些支部。")] = None,
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", metavar="党员信息表", show_default=False,
        help="党员信息表（Excel，含“所在支部”列），用来预先填好各支部的党员名册。")] = None,
    force: Annotated[bool, typer.Option("--force", help="重新生成已下发过的台账（覆盖 outbox 中的文件）。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """为支部名单中的每个支部生成本年度的台账工作簿（outbox 文件夹），并生成下发通知。"""
    ws = find_workspace()
    with progress_bar("生成台账", 0, enabled=not as_json) as bar:
        task = bar.add_task("生成台账", total=None, item="")

        def step(result: IssueResult) -> None:
            bar.update(task, advance=1, item=result.name)

        report = issue_workspace(ws, codes=branch or None, roster_file=roster, force=force, progress=step)
    if as_json:
        print_json(report.to_dict())
    else:
        if report.branch_problems:
            console.print(problems_table("支部名单中的问题（有错误的支部未下发）", report.branch_problems))
        rows = [[r.code, r.name, r.status, r.roster_rows or "", Path(r.path).name, r.message] for r in report.results]
        console.print(table("下发结果", ["编码", "支部", "状态", "预填党员", "文件", "说明"], rows, key=2, long=["说明"]))
        issued = sum(r.status == ISSUED for r in report.results)
        console.print(f"已生成 {issued} 个台账，位于 {plain(ws.root / 'outbox')}")
        if report.notice:
            console.print(f"下发通知：{plain(report.notice)}")
        if report.roster and report.roster.unmatched:
            console.print(f"[yellow]党员信息表中有 {len(report.roster.unmatched)} 个“所在支部”与名单不符，未导入："
                          f"{plain('、'.join(report.roster.unmatched[:10]))}[/]")
    if any(r.status == FAILED for r in report.results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this command to the app."""
    app.command("issue")(issue)
