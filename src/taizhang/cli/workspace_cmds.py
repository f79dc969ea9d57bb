"""init, branches, templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.tree import Tree

from taizhang import workspace
from taizhang.cli.common import (
    JsonOpt,
    console,
    find_workspace,
    handle_errors,
    parse_date,
    plain,
    print_json,
    problems_table,
    rule_title,
    severity_style,
    table,
)
from taizhang.levels import hierarchy
from taizhang.workspace.check import check as check_workspace


@handle_errors
def init(
    folder: Annotated[Path, typer.Argument(metavar="文件夹", help="新工作区的文件夹（不存在时自动创建）。")],
    org: Annotated[str, typer.Option("--org", metavar="单位名称", help="本单位名称，如“中共某某局机关委员会”。")],
    year: Annotated[int, typer.Option("--year", metavar="年度", help="台账年度，如 2025。")],
    deadline: Annotated[Optional[str], typer.Option(
        "--deadline", metavar="日期", show_default=False,
        help="报送截止日期，如 2026-01-15 或 2026年1月15日（默认次年1月15日）。")] = None,
    code: Annotated[str, typer.Option("--code", metavar="单位编码", show_default=False,
                                      help="本单位编码（向上级报送汇总时使用）。")] = "",
    as_json: JsonOpt = False,
) -> None:
    """创建工作区：设置文件、支部名单、数据库和密钥。"""
    ws = workspace.init(folder, org=org, year=year, deadline=parse_date(deadline, "截止日期"), code=code)
    if as_json:
        print_json(ws.to_dict())
        return
    if ws.recreated:
        console.print(f"[green]工作区 {plain(ws.root)} 已重新生成：[/]{plain('、'.join(ws.recreated))}（其他内容未改动）。")
        if "taizhang.toml" in ws.recreated:
            console.print("  设置文件是默认设置，请打开核对联系人、电话和各项规则设置。")
        if any(name.endswith("store.sqlite3") for name in ws.recreated):
            console.print("  数据库是新建的空数据库：请把 archive/ 中的原件复制到 inbox/，运行 taizhang collect 重新收集。")
        return
    console.print(f"[green]已创建工作区[/] {plain(ws.root)}")
    console.print(f"  设置文件：{ws.config_path.name}（单位、年度、截止日期、联系人和各项校验规则）")
    console.print(f"  支部名单：{ws.branches_path.name}（请填写各支部的编码、名称、书记和联系人）")
    console.print("  党委工作台账：党委工作台账.xlsx（办公室登记党委自身的会议、学习和任务）")
    console.print("  密钥：.taizhang/secret.key（用于核验报回的台账，请妥善备份，不要外传）")
    console.print("下一步：填好支部名单后运行 [bold]taizhang issue[/] 生成各支部的台账。")


@handle_errors
def branches(as_json: JsonOpt = False) -> None:
    """组织结构：支部名单中的党支部和党总支（含下级汇总中的支部）按上下级显示，并检查名单中的问题。"""
    ws = find_workspace()
    tree = hierarchy.load(ws)
    if as_json:
        print_json(tree.to_dict())
    else:
        if tree.units:
            console.print(_tree_view(tree))
            n_nodes = sum(1 for u in tree.units.values() if not u.is_branch)
            summary = f"共{len(tree.branches())}个党支部" + (f"、{n_nodes}个党总支（党委）" if n_nodes else "") + "。"
            console.print(summary)
        if tree.problems:
            console.print(problems_table("支部名单中的问题", tree.problems))
        elif tree.units:
            console.print("[green]支部名单没有发现问题。[/]")
        else:
            console.print(f"支部名单还是空的，请打开 {plain(ws.branches_path)} 填写。")
    if any(p.severity.value == "错误" for p in tree.problems):
        raise typer.Exit(1)


def _tree_view(tree: hierarchy.Tree) -> Tree:
    """The units as a Rich tree under the workspace's own organisation."""
    root = Tree(f"[bold]{tree.org_name or '本单位'}[/]" + (f"（{tree.org_code}）" if tree.org_code else ""))
    def add(parent: Tree, code: str) -> None:
        for u in tree.children(code):
            label = f"{u.code}  {u.name}"
            notes = [] if u.is_branch else [u.kind]
            if u.secretary:
                notes.append(f"书记 {u.secretary}")
            if u.linked:
                notes.append("已建立上报链接")
            if u.source:
                notes.append("来自下级汇总")
            if notes:
                label += f"  [dim]（{'，'.join(notes)}）[/]"
            add(parent.add(label), u.code)

    add(root, "")
    return root


@handle_errors
def templates(
    export: Annotated[bool, typer.Option("--export", help="把程序自带的台账定义复制到工作区的 workbook_templates 文件夹，以便修改。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """查看台账定义（各工作表的列、类型和规则），或导出以便本单位修改。"""
    ws = find_workspace()
    result = workspace.templates(ws, export=export)
    if as_json:
        print_json(result.to_dict())
        return
    definition = result.definition
    rows = [[led.sheet, led.version, len(led.columns), "、".join(rule_title(r) for r in led.rules) or "—",
             Path(led.source).name if led.source else "", led.id] for led in definition.ledgers]
    console.print(table(f"台账定义（{definition.title or '党建工作台账'}，版本 {definition.version}）",
                        ["工作表", "版本", "列数", "检查规则", "定义文件", "编号"], rows, long=["检查规则"]))
    if export:
        console.print(f"已复制 {len(result.exported)} 个定义文件到 {plain(ws.root / 'workbook_templates')}" +
                      ("" if result.exported else "（已存在的文件未覆盖）"))


@handle_errors
def check(as_json: JsonOpt = False) -> None:
    """检查工作区本身：设置文件、密钥、数据库是否完好，archive/ 中的原件是否齐全、未被改动（只读，不改动任何文件）。"""
    ws = find_workspace(lost_config_ok=True)
    report = check_workspace(ws)
    if as_json:
        print_json(report.to_dict())
    else:
        checked = (f"数据库中有{report.submissions}份报送记录、{report.rollups}份下级汇总，"
                   f"核对了 archive/ 中{report.archived_checked}个原件的 SHA-256。")
        if report.findings:
            rows = [[severity_style(f.severity), f.part, f.message] for f in report.findings]
            console.print(table("工作区检查发现的问题", ["级别", "部分", "问题和处理方法"], rows,
                                long=["问题和处理方法"], key=2))
        if not any(f.part == "数据库" and f.severity == "错误" for f in report.findings):
            console.print(checked)
        if report.ok:
            console.print("[green]工作区完好：设置、密钥、数据库和原件都没有发现错误。[/]")
        else:
            console.print(f"[bold red]发现{report.errors}个错误。[/]")
            if report.restore:
                console.print(plain(report.restore))
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command("init")(init)
    app.command("branches")(branches)
    app.command("templates")(templates)
    app.command("check")(check)
