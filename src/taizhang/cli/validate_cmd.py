"""validate: a branch's self-check of its workbook before returning it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from taizhang.cli.common import (
    AsOfOpt,
    JsonOpt,
    console,
    handle_errors,
    parse_as_of,
    plain,
    print_json,
    problems_table,
    state,
)
from taizhang.collect.selfcheck import check_file
from taizhang.errors import InputError, WorkspaceNotFound


@handle_errors
def validate(
    files: Annotated[list[Path], typer.Argument(metavar="台账文件", help="要检查的台账工作簿（可以多个）。")],
    feedback: Annotated[bool, typer.Option("--feedback", help="在文件旁边生成反馈表（有问题的单元格标红并附说明）。")] = False,
    as_of: AsOfOpt = None,
    ids: Annotated[bool, typer.Option("--ids", help="同时列出规则编号（如 MEET-QUORUM）。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """报送前自查：用与上级收集时相同的规则检查台账，不保存任何数据，不需要工作区。"""
    from taizhang import workspace as workspace_mod

    try:
        ws = workspace_mod.find(explicit=state.workspace) if state.workspace else workspace_mod.find()
    except WorkspaceNotFound:
        ws = None
    day = parse_as_of(as_of)
    results = []
    for path in files:
        if not path.is_file():
            raise InputError(f"找不到文件 {path}。")
        results.append(check_file(path, workspace=ws, as_of=day, feedback=feedback))
    if as_json:
        print_json([r.to_dict() for r in results])
    else:
        for r in results:
            who = f"{r.branch_code} {r.branch_name}".strip() or Path(r.file).name
            counts = r.to_dict()["counts"]
            console.print(f"[bold]{plain(Path(r.file).name)}[/]（{plain(who)}，{r.year or '?'}年）：错误{counts['错误']}处，"
                          f"警告{counts['警告']}处，提示{counts['提示']}处")
            if r.problems:
                console.print(problems_table("问题清单", r.problems, ids=ids))
            else:
                console.print("[green]没有发现问题，可以报送。[/]")
            if r.feedback:
                console.print(f"反馈表：{plain(r.feedback)}")
    if any(not r.readable for r in results):
        raise typer.Exit(2)
    if any(p.severity.value == "错误" for r in results for p in r.problems):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this command to the app."""
    app.command("validate")(validate)
