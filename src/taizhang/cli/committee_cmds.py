"""committee (template, check): the committee's own ledger, 党委工作台账.xlsx."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from taizhang import committee
from taizhang.cli.common import (
    JsonOpt,
    console,
    find_workspace,
    handle_errors,
    plain,
    print_json,
    problems_table,
    table,
)

committee_app = typer.Typer(
    help="党委工作台账（党委工作台账.xlsx）：办公室登记党委会议、中心组学习、书记讲党课、意识形态研判、"
         "制度建设、重点任务和荣誉，年度总结据此写党委自身的工作。",
    no_args_is_help=True,
)


@committee_app.command("template")
@handle_errors
def template() -> None:
    """在工作区里生成空白的党委工作台账（已有的不会覆盖）。"""
    ws = find_workspace()
    made = committee.ensure_template(ws)
    path = committee.path_of(ws)
    if made:
        console.print(f"[green]已生成[/] {plain(path)}，请办公室按填表说明逐项登记。")
    else:
        console.print(f"{plain(path)} 已经存在，未做改动。要重新生成，请先把它移走（注意备份已填写的内容）。")


@committee_app.command("check")
@handle_errors
def check(
    year: Annotated[Optional[int], typer.Option("--year", metavar="年度", show_default=False,
                                                help="检查哪一年的记录（默认工作区年度）。")] = None,
    as_json: JsonOpt = False,
) -> None:
    """检查党委工作台账：列出某一年登记的各类次数和填写中的问题。"""
    ws = find_workspace()
    ledger = committee.load(ws, year)
    if as_json:
        print_json(ledger.to_dict())
    elif not ledger.found:
        console.print(f"工作区里还没有 {committee.FILE_NAME}。请运行 [bold]taizhang committee template[/] 生成后填写。")
    else:
        rows = [[kind, str(n)] for kind, n in ledger.counts().items()]
        console.print(table(f"{ledger.year}年党委工作台账登记情况", ["项目", "条数"], rows))
        if ledger.empty:
            console.print(f"{ledger.year}年还没有登记任何内容。")
        if ledger.problems:
            console.print(problems_table("党委工作台账中的问题", ledger.problems))
        else:
            console.print("[green]没有发现填写问题。[/]")
    if any(p.severity.value == "错误" for p in ledger.problems):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.add_typer(committee_app, name="committee")
