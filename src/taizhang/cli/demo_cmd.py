"""demo: build a complete demo workspace and run it through every stage."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from taizhang.cli.common import JsonOpt, console, err_console, handle_errors, plain, print_json
from taizhang.demo import build_demo


@handle_errors
def demo(
    folder: Annotated[Path, typer.Argument(metavar="文件夹", help="演示工作区的文件夹（不能已是工作区）。")] = Path("台账演示"),
    seed: Annotated[int, typer.Option("--seed", metavar="整数", help="随机数种子：相同的种子生成完全相同的演示数据。")] = 2025,
    year: Annotated[int, typer.Option("--year", metavar="年度", help="演示的最后一个年度（演示从此前两年开始，连续三年）。")] = 2025,
    as_json: JsonOpt = False,
) -> None:
    """生成演示工作区：虚构的机关党委和十几个支部，连续三年走完下发、填写、收集、校验、汇总、报告全过程。"""
    say = (lambda _m: None) if as_json else (lambda m: err_console.print(f"[green]✓[/] {m}"))
    report = build_demo(folder, seed=seed, year=year, progress=say)
    if as_json:
        print_json(report.to_dict())
        return
    root = Path(report.root)
    console.print(f"\n演示工作区：{plain(root)}")
    console.print(f"  outbox/    下发给各支部的{report.years[0]}—{report.year}年台账和下发通知")
    console.print("  inbox/     各支部每年报回的台账（按年度分文件夹，模拟填写，最后一年含几处常见错误）")
    console.print("  feedback/  发回有问题的支部的反馈表")
    console.print("  output/    汇总台账、统计表和各类报告")
    program = _program()
    console.print(f"接着可以试试：cd {plain(root)} && {plain(program)} status && {plain(program)} problems")
    console.print(f"开始新的一年：{plain(program)} year {report.year + 1} && {plain(program)} issue")


def _program() -> str:
    """How to run this program from another folder: `taizhang` when that is what the shell finds,
    else the full path of the one running now (a virtual environment not activated)."""
    running = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    found = shutil.which("taizhang")
    if found and (running is None or running.name != "taizhang" or Path(found).resolve() == running):
        return "taizhang"
    if running is not None and running.name == "taizhang" and running.is_file():
        return str(running)
    return "taizhang"


def register(app: typer.Typer) -> None:
    """Add this command to the app."""
    app.command("demo")(demo)
