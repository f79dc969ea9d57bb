"""collect, status, problems."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from taizhang.cli.common import (
    AsOfOpt,
    BranchOpt,
    JsonOpt,
    Markup,
    YearOpt,
    console,
    find_workspace,
    handle_errors,
    parse_as_of,
    parse_severity,
    plain,
    print_json,
    print_warnings,
    problems_table,
    progress_bar,
    table,
)
from taizhang.collect import CollectReport
from taizhang.collect import collect as collect_files
from taizhang.collect.status import problem_list, round_status, write_reminders
from taizhang.errors import InputError
from taizhang.safeio import terminal_text
from taizhang.vocabulary import ACCEPTED, NEEDS_FIX

OUTCOME_STYLE = {ACCEPTED: Markup("[green]已接收[/]"), NEEDS_FIX: Markup("[yellow]需修改[/]")}
# Up to this many files every one is listed; beyond, only those with problems.
LIST_ALL_UP_TO = 100


@handle_errors
def collect(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        metavar="文件或文件夹", help="要收集的文件或文件夹（默认 inbox 文件夹），可以是 .zip。", show_default=False)] = None,
    as_of: AsOfOpt = None,
    no_feedback: Annotated[bool, typer.Option("--no-feedback", help="不生成反馈表。")] = False,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", "-j", min=1, show_default=False,
        help="同时处理文件的进程数（默认为CPU核数；1 表示只用当前进程）。")] = None,
    accept: Annotated[Optional[list[Path]], typer.Option(
        "--accept", metavar="文件", show_default=False,
        help="确认接收这个文件：它没有可核实的签名而原来的台账有、它是空白的而原来的填写过、或内容与签名的支部不符时，"
             "不写此项只保存、不替换原来的台账（已收过的文件写此项即改为使用）。")] = None,
    as_json: JsonOpt = False,
) -> None:
    """收集报回的台账：识别支部、读取数据、检查问题、存档，并为有问题的支部生成反馈表。"""
    ws = find_workspace()
    for p in [*(paths or []), *(accept or [])]:
        if not p.exists():
            raise InputError(f"找不到 {p}。")
    with progress_bar("收集", 0, enabled=not as_json) as bar:
        task = bar.add_task("收集台账", total=None, item="")

        def step(display: str, total: int | None) -> None:
            if total is not None:
                bar.update(task, total=total)
            else:
                bar.update(task, advance=1, item=terminal_text(Path(display).name)[-40:])

        report = collect_files(ws, paths, as_of=parse_as_of(as_of), write_feedback=not no_feedback, progress=step,
                               workers=workers, accept=accept)
    _render(report, as_json)
    if not as_json:
        print_warnings(report.warnings)
    if report.failed:
        raise typer.Exit(2)


def _render(report: CollectReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    for note in report.accepted:
        console.print(plain(note))
    if not report.files:
        console.print("没有找到需要收集的文件。请把报回的台账放进 inbox 文件夹，或在命令后写明文件位置。")
        return
    shown = report.files
    if len(shown) > LIST_ALL_UP_TO:  # thousands of lines help nobody: list what needs attention
        shown = [f for f in report.files if f.outcome != ACCEPTED or f.errors or f.warnings]
    rows = []
    for f in shown:
        rows_text = "、".join(f"{k}{v}" for k, v in f.rows.items() if v) or ""
        who = f"{f.branch_code} {f.branch_name}".strip() + (f"（下级汇总，{len(f.rollup)}个支部）" if f.rollup else "")
        if f.year and f.year != report.year:
            who += f"（{f.year}年度）"
        rows.append([Path(f.file).name, OUTCOME_STYLE.get(f.outcome, Markup(f"[red]{f.outcome}[/]")) if f.outcome not in ("已收过",) else f.outcome,
                     who, rows_text, f.errors or "", f.warnings or "", f.message])
    title = f"收集结果（{len(report.files)}个文件）"
    if len(shown) < len(report.files):
        title = f"收集结果（{len(report.files)}个文件，以下是有问题或未接收的{len(shown)}个）"
    if rows:
        console.print(table(title, ["文件", "结果", "支部", "读取行数", "错误", "警告", "说明"], rows, long=["说明"]))
    if len(shown) < len(report.files):
        console.print(f"另有 {len(report.files) - len(shown)} 个文件已接收、没有错误和警告，未逐一列出"
                      "（taizhang status 可查看各支部情况，加 --json 可得到全部结果）。")
    _render_rollups(report)
    counts = report.to_dict()["counts"]
    console.print("，".join(f"{k}{v}个" for k, v in counts.items()) + "。")
    # one feedback workbook per branch and year: several files of one branch share it
    feedback = {(f.branch_code, f.year) for f in report.files if f.feedback}
    if feedback:
        console.print(f"已为 {len({code for code, _year in feedback})} 个支部生成反馈表，位于 feedback 文件夹。")
    if report.failed:
        console.print("[red]有文件无法读取或无法识别，见上表“说明”。[/]")


def _render_rollups(report: CollectReport) -> None:
    """Per roll-up, what became of each branch in it; then conflicts between ways a return came."""
    shown: set[str] = set()
    for f in report.files:
        if not f.rollup:
            continue
        rows = [[f"{x['code']} {x['name']}", OUTCOME_STYLE.get(x["outcome"], x["outcome"]), x["errors"] or "",
                 x["warnings"] or "", x["message"]] for x in f.rollup]
        shown.update(x["message"] for x in f.rollup if x["message"])
        console.print(table(f"“{f.branch_name}”汇总中的{len(f.rollup)}个支部",
                            ["支部", "结果", "错误", "警告", "说明"], rows, long=["说明"]))
    notes = [p.message for f in report.files for p in f.problems
             if p.rule_id.startswith("ROLLUP-") and p.message not in shown]
    for note in dict.fromkeys(notes):
        console.print(f"[yellow]注意：[/]{plain(note)}")


@handle_errors
def status(
    remind: Annotated[bool, typer.Option("--remind", help="生成催报名单 output/催报名单.xlsx。")] = False,
    history: Annotated[bool, typer.Option("--history", help="显示每个支部历次报送的记录。")] = False,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """各支部的报送情况：是否下发、何时报送（按时或逾期）、问题数量、尚未报送。"""
    ws = find_workspace()
    st = round_status(ws, year)
    if remind:
        write_reminders(ws, st)
    if as_json:
        print_json(st.to_dict())
        return
    style = {k: Markup(v) for k, v in {"已报送": "[green]已报送[/]", "逾期报送": "[yellow]逾期报送[/]",
                                       "需修改": "[red]需修改[/]", "未报送": "[red]未报送[/]"}.items()}
    grouped = any(b.group for b in st.branches)
    rows = []
    for b in st.branches:
        issued = b.issued_at[:10] or ("由下级下发" if b.via else "未下发")
        row = [b.code, b.name, issued, b.returned_at[:16].replace("T", " ") or "—",
               style.get(b.state, b.state), b.errors if b.submission_id else "", b.warnings if b.submission_id else "",
               b.submissions or "", b.source]
        rows.append(row + ([b.group or "（直属）"] if grouped else []))
    headers = ["编码", "支部", "下发", "报送时间", "状态", "错误", "警告", "报送次数", "来源"]
    console.print(table(f"{st.year}年台账报送情况（截止日期 {st.deadline or '未设置'}）"
                        + ("" if st.current else f"（工作区现在是{ws.settings.year}年度）"),
                        headers + (["所属组织"] if grouped else []), rows, key=2))
    counts = st.to_dict()["counts"]
    console.print("，".join(f"{k}{v}个" for k, v in counts.items()) + "。")
    if st.units:
        console.print(table("下级党总支（党委）的汇总报送", ["编码", "单位", "最近一次汇总", "生成时间", "支部数", "收到次数"], [
            [u.code, u.name, u.received_at[:16].replace("T", " ") or Markup("[red]未报送[/]"),
             u.created_at[:16].replace("T", " "), u.branches or "", u.rollups or ""] for u in st.units], key=2))
    for b in st.branches:
        if b.conflict:
            console.print(f"[yellow]{plain(b.code)} {plain(b.name)}：[/]{plain(b.conflict)}。")
    if history:
        for b in st.branches:
            for h in b.history:
                mark = "（当前）" if h["current"] else "（已被替代）"
                console.print(plain(f"  {b.code} {b.name}：{h['submitted_at']} {h['file']}（{h['source']}）"
                                    f" 错误{h['errors']} 警告{h['warnings']}{mark}"))
    if st.reminders:
        console.print(f"催报名单：{plain(st.reminders)}")
    print_warnings(st.warnings)


@handle_errors
def problems(
    branch: BranchOpt = None,
    severity: Annotated[Optional[str], typer.Option(
        "--severity", "-s", metavar="级别", show_default=False,
        help="只看某一级别：错误、警告或提示（也可写 error、warning、info）。")] = None,
    ids: Annotated[bool, typer.Option("--ids", help="同时列出规则编号（如 MEET-QUORUM）。")] = False,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """列出各支部当前报送中的问题：先列错误，再列警告和提示。"""
    ws = find_workspace()
    result = problem_list(ws, branch, parse_severity(severity), year)
    if as_json:
        print_json(result.to_dict())
        return
    if not result.returns:
        which = f"{result.year}年的" if year else ""
        console.print(f"还没有收到{which}报送。" if not branch else f"支部 {plain(result.branch)} 还没有{which}报送。")
        return
    for r in result.returns:
        if r.problems:
            sub = r.submission
            console.print(problems_table(f"{sub.branch_code} {sub.branch_name}（{sub.file_name}）", r.problems, ids=ids))
    if result.total:
        console.print(f"共 {result.total} 个问题。")
    else:
        console.print("[green]当前报送中没有" + (f"{result.severity}。[/]" if result.severity else "问题。[/]"))


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command("collect")(collect)
    app.command("status")(status)
    app.command("problems")(problems)
