"""members import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from taizhang.cli.common import (
    JsonOpt,
    console,
    find_workspace,
    handle_errors,
    plain,
    print_json,
    table,
)

if TYPE_CHECKING:
    from taizhang.issue.memberlist import MemberImport

members_app = typer.Typer(
    help="党员信息表（全国党员管理信息系统等导出的党员名单）：预览能分到各支部党员名册的党员。",
    no_args_is_help=True,
)
PROBLEMS_SHOWN = 60


@members_app.command("import")
@handle_errors
def import_members(
    file: Annotated[Path, typer.Argument(metavar="党员信息表", show_default=False,
                                         help="党员名单（Excel），如全国党员管理信息系统导出的党员信息。")],
    as_json: JsonOpt = False,
) -> None:
    """预览党员信息表能分到哪些支部：每个支部多少名党员、各列用作什么、哪些值需要核对。

    只看不写，确认无误后用 taizhang issue --roster 党员信息表 下发。一名党员也分不到支部时以非零状态退出。"""
    from taizhang.issue import member_preview  # imported when used: the CLI starts fast

    ws = find_workspace()
    report = member_preview(ws, file)
    if as_json:
        print_json(report.to_dict())
    else:
        render(report)
    if report.placed == 0:
        raise typer.Exit(1)


def render(report: MemberImport) -> None:
    """The preview: the columns, the members per branch, the values mapped, the problems."""
    from taizhang.issue.memberlist import WORKSPACE_FILE

    rows = [f"第{'、'.join(str(r) for r in report.header_rows)}行"]
    console.print(f"工作表“{plain(report.sheet)}”，表头在{rows[0]}"
                  + (f"；表头上方：{plain('；'.join(report.notes))}" if report.notes else ""))
    if report.sheet_branches:
        console.print("没有所在支部列，按每张工作表一个支部：" + plain("、".join(
            f"“{sheet}”→{branch}" for sheet, branch in report.sheet_branches.items())))
    console.print(table("各列的用途", ["列", "表头", "用作"],
                        [[c.letter, c.header, c.target or c.note] for c in report.columns], key=2, long=["用作"]))
    shares = [[s.code, s.name, len(s.rows), s.problems or "", "、".join(s.written)] for s in report.shares]
    if shares:
        console.print(table("分到各支部的党员", ["编码", "支部", "党员", "待核对", "表中写的所在支部"], shares,
                            key=2, long=["表中写的所在支部"]))
    if report.unplaced or report.blank_branch:
        lost = [[u.value, len(u.rows), _rows(u.rows), "可能是" + "或".join(u.candidates) if u.candidates
                 else "支部名单中没有"] for u in report.unplaced]
        if report.blank_branch:
            lost.append(["（空）", len(report.blank_branch), _rows(report.blank_branch), "没有填所在支部"])
        console.print(table("不能分到支部的党员（不会导入）", ["所在支部", "人数", "行", "原因"], lost,
                            key=1, long=["行", "原因"]))
    if report.mappings:
        mapped = [[m.column, m.written, m.option, m.count] for m in report.mappings]
        console.print(table("按常见写法换成名册选项的值", ["列", "表中写的", "填入", "行数"], mapped, key=2))
    if report.problems:
        shown = sorted(report.problems, key=lambda p: (p.severity.rank, p.row or 0))[:PROBLEMS_SHOWN]
        console.print(table("需要核对的值", ["行", "列", "值", "问题"],
                            [[p.row or "", p.column, p.value, p.message] for p in shown], key=2, long=["问题"]))
        if len(report.problems) > PROBLEMS_SHOWN:
            console.print(f"另有 {len(report.problems) - PROBLEMS_SHOWN} 个问题未列出，用 --json 查看全部。")
    total = report.placed
    console.print(f"读到 {report.members_read} 名党员，能分到 {len(report.shares)} 个支部的 {total} 名"
                  + (f"，{report.members_read - total} 名不能导入" if report.members_read > total else "") + "。")
    if total:
        console.print(f"以上只是预览，没有写入任何文件。确认后运行：taizhang issue --roster {plain(Path(report.file).name)}")
    else:
        console.print("[red]一名党员也分不到支部，不能用来下发。[/]请在支部名单的“全称”列填写各支部的登记全称后再试。")
    console.print(f"列名对照表：{plain('、'.join(report.synonym_files))}（可在工作区的 {WORKSPACE_FILE} 中补充）")


def _rows(rows: list[int], limit: int = 8) -> str:
    return "、".join(str(r) for r in rows[:limit]) + (f"等{len(rows)}行" if len(rows) > limit else "")


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.add_typer(members_app, name="members")
