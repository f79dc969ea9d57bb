"""issue."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from taizhang import committee
from taizhang.cli.common import (
    JsonOpt,
    console,
    find_workspace,
    handle_errors,
    plain,
    print_json,
    print_warnings,
    problems_table,
    progress_bar,
    table,
)
from taizhang.problems import Severity
from taizhang.vocabulary import FAILED, ISSUED

if TYPE_CHECKING:
    from taizhang.issue import IssueResult
    from taizhang.issue.memberlist import MemberImport


@handle_errors
def issue(
    branch: Annotated[Optional[list[str]], typer.Option(
        "--branch", "-b", metavar="支部编码", show_default=False, help="只下发给这些支部。")] = None,
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", metavar="党员信息表", show_default=False,
        help="党员信息表（全国党员管理信息系统等导出的Excel，须有所在党支部列），用来预先填好各支部的党员名册；"
             "先用 taizhang members import 预览。一名党员也分不到支部时不生成任何台账。")] = None,
    force: Annotated[bool, typer.Option("--force", help="重新生成已下发过的台账（覆盖 outbox 中的文件，并列出改动；"
                                              "本次没有内容的党员名册等保留原有的行，加 --no-carry 时才清空）。")] = False,
    no_carry: Annotated[bool, typer.Option(
        "--no-carry", help="不带入以前年度台账中的党员名册、发展党员和党费收缴表，下发空白台账。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """为支部名单中的每个支部生成本年度的台账工作簿（outbox 文件夹），并生成下发通知。

    以前年度报送过台账的支部，新台账预先填好上一次报送的党员名册（年底在册的党员）、发展党员（尚未转正的）
    和党费收缴表（姓名、人员类别、月计算基数）。"""
    from taizhang.issue import issue_workspace

    ws = find_workspace()
    with progress_bar("生成台账", 0, enabled=not as_json) as bar:
        task = bar.add_task("生成台账", total=None, item="")

        def step(result: IssueResult) -> None:
            bar.update(task, advance=1, item=result.name)

        report = issue_workspace(ws, codes=branch or None, roster_file=roster, force=force, progress=step,
                                 carry=not no_carry)
    if as_json:
        print_json(report.to_dict())
    else:
        if report.branch_problems:
            console.print(problems_table("支部名单中的问题（有错误的支部未下发）", report.branch_problems))
        rows = [[r.code, r.name, r.status, r.roster_rows or "", r.recruits or "", _source(r), Path(r.path).name,
                 r.message] for r in report.results]
        console.print(table(f"{report.year}年台账下发结果",
                            ["编码", "支部", "状态", "预填党员", "预填发展党员", "预填自", "文件", "说明"], rows,
                            key=2, long=["说明"]))
        issued = [r for r in report.results if r.status == ISSUED]
        console.print(f"已生成 {len(issued)} 个台账，位于 {plain(ws.root / 'outbox')}")
        carried = [r for r in issued if r.carried_from]
        if carried:
            console.print(f"{len(carried)}个支部的台账预先填好了上一次报送的党员名册（{sum(r.roster_rows for r in carried)}名党员）、"
                          f"发展党员（{sum(r.recruits for r in carried)}人）和党费收缴表的姓名、人员类别、月计算基数，"
                          "支部核对修改即可。")
        fresh = [r.name for r in issued if not r.carried_from and not r.roster_rows]
        if carried and fresh:
            console.print(f"[yellow]没有以前年度的台账、名册为空的支部：[/]{plain('、'.join(fresh))}")
        if report.notice:
            console.print(f"下发通知：{plain(report.notice)}")
        if not committee.path_of(ws).exists():
            console.print(f"工作区里还没有党委工作台账（{committee.FILE_NAME}），可运行 [bold]taizhang committee template[/] "
                          "生成，由办公室登记党委自身的会议、学习和任务。")
        print_warnings(report.warnings)
        changed = [r for r in report.results if r.replaced]
        if changed:
            console.print(table("--force 重新生成的台账（原文件已覆盖）", ["编码", "支部", "改动"],
                                [[r.code, r.name, r.replaced.removeprefix("重新生成：")] for r in changed],
                                key=2, long=["改动"]))
        if report.roster:
            _roster_summary(report.roster, roster)
    if any(r.status == FAILED for r in report.results):
        raise typer.Exit(1)


def _roster_summary(roster: MemberImport, file: Path | None) -> None:
    """What the member list gave: members placed, members left out, values to check."""
    lost = roster.members_read - roster.placed
    line = f"党员信息表：读到{roster.members_read}名党员，{roster.placed}名分到了{len(roster.shares)}个支部"
    if lost:
        line += f"，[yellow]{lost}名不能导入[/]"
        if roster.unplaced:
            line += "（所在支部对不上：" + plain("、".join(f"{u.value}（{len(u.rows)}人）" for u in roster.unplaced[:5]))
            line += "等）" if len(roster.unplaced) > 5 else "）"
        if roster.blank_branch:
            line += f"（{len(roster.blank_branch)}人没有填所在支部）"
    checks = [p for p in roster.problems if not p.rule_id.startswith("LIST-BRANCH") and p.severity != Severity.INFO]
    if checks:
        line += f"；{len(checks)}个值需要核对（已原样填入，支部收到后会看到）"
    console.print(line + "。")
    if lost or checks:
        console.print(f"逐行查看：taizhang members import {plain(Path(file).name if file else '')}")


def _source(r: IssueResult) -> str:
    """Where a workbook's prefilled rows came from: 2025年台账, 党员信息表 (+2025年台账) or ""."""
    parts = []
    if r.roster_from in ("党员信息表", "已下发的台账"):
        parts.append(r.roster_from)
    if r.carried_from:
        parts.append(f"{r.carried_from}年台账")
    return "、".join(parts)


def register(app: typer.Typer) -> None:
    """Add this command to the app."""
    app.command("issue")(issue)
