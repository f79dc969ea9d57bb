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
    table,
)
from taizhang.levels import hierarchy


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


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command("init")(init)
    app.command("branches")(branches)
    app.command("templates")(templates)
