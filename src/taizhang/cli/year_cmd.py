"""year: start a new year's round in the same workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from taizhang.cli.common import (
    JsonOpt,
    console,
    find_workspace,
    handle_errors,
    parse_date,
    print_json,
    print_warnings,
)
from taizhang.party.calendar import cn_date
from taizhang.workspace.rounds import start_year


@handle_errors
def year(
    new_year: Annotated[int, typer.Argument(metavar="年度", help="新的台账年度，如 2026。", show_default=False)],
    deadline: Annotated[str | None, typer.Option(
        "--deadline", metavar="日期", help="新年度的报送截止日期，如 2027-01-15（默认：上一年度的截止日期顺延一年）。",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="允许切换到比当前更早的年度。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """开始新一年的工作：设置新的台账年度和报送截止日期，以前各年度的台账都保留在数据库中。"""
    ws = find_workspace()
    change = start_year(ws, new_year, deadline=parse_date(deadline, "截止日期"), force=force)
    if as_json:
        print_json(change.to_dict())
        return
    if change.changed:
        console.print(f"[green]已切换到{change.year}年度[/]（原为{change.previous}年度）。")
    else:
        console.print(f"工作区已经是{change.year}年度。")
    dl = cn_date(change.deadline) if change.deadline else "未设置"
    if change.deadline_default and change.changed and change.deadline and change.previous_deadline:
        console.print(f"报送截止日期：{dl}（未指定，按{change.previous}年度的截止日期"
                      f"{cn_date(change.previous_deadline)}顺延；如需改动，运行 "
                      f"taizhang year {change.year} --deadline 日期）。")
    else:
        console.print(f"报送截止日期：{dl}。")
    if change.returns:
        kept = "，".join(f"{y}年{n}个支部" for y, n in sorted(change.returns.items()))
        console.print(f"数据库中保留的各年度台账：{kept}。")
    print_warnings(change.warnings)
    if change.changed:
        last = change.year - 1
        console.print("下一步：")
        console.print(f"  1. taizhang issue：下发{change.year}年的台账。各支部的党员名册、发展党员和党费收缴表"
                      f"预先填好{last}年底的情况（没有{last}年台账的支部，用它最近一年的台账）。")
        console.print(f"  2. {change.previous}年迟交的台账照常放进 inbox 运行 taizhang collect，会存入"
                      f"{change.previous}年度；用 taizhang status --year {change.previous} 查看。")


def register(app: typer.Typer) -> None:
    """Add this command to the app."""
    app.command("year")(year)
