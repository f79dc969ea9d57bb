"""link (add, import, list, remove) and rollup: passing a level's consolidated returns upward."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from taizhang.cli.common import (
    AsOfOpt,
    JsonOpt,
    YearOpt,
    console,
    find_workspace,
    handle_errors,
    parse_as_of,
    print_json,
    table,
)
from taizhang.levels import links

link_app = typer.Typer(
    help="上下级之间的汇总报送密钥：上级为下级党总支（党委）建立链接，下级导入后用它签名汇总。",
    no_args_is_help=True,
)


@link_app.command("add")
@handle_errors
def link_add(
    code: Annotated[str, typer.Argument(metavar="单位编码", help="下级单位（党总支、党委）在支部名单中的编码。")],
    renew: Annotated[bool, typer.Option("--renew", help="重新生成密钥（对方密钥丢失或泄露时）；旧密钥随即作废。")] = False,
    out: Annotated[Path | None, typer.Option("--out", metavar="文件或文件夹", show_default=False, help="密钥文件写到哪里（文件夹或文件名），默认 output 文件夹。")] = None,
    as_json: JsonOpt = False,
) -> None:
    """（上级用）为一个下级党总支（党委）建立上报链接，生成交给对方的密钥文件。"""
    ws = find_workspace()
    added = links.add(ws, code, renew=renew, out=out)
    if as_json:
        print_json(added.to_dict())
        return
    link = added.link
    console.print(f"[green]已为“{link.unit_name}”（{link.unit_code}）建立上报链接。[/]")
    console.print(f"  密钥文件：{added.path}")
    console.print(f"  密钥指纹：[bold]{link.fingerprint}[/]")
    if added.replaced:
        console.print(f"  旧密钥（指纹 {added.replaced}）已作废，用它签名的汇总将被拒收。")
    console.print(f"请把密钥文件当面或用U盘交给“{link.unit_name}”，不要用邮件或微信转发。对方在其工作区运行 "
                  "[bold]taizhang link import 密钥文件[/] 导入后，请与对方电话核对指纹；交接完成后删除这个文件。")


@link_app.command("import")
@handle_errors
def link_import(
    file: Annotated[Path, typer.Argument(metavar="密钥文件", help="上级用 taizhang link add 生成的密钥文件。")],
    as_json: JsonOpt = False,
) -> None:
    """（下级用）导入上级发来的密钥文件；以后用 taizhang rollup 生成的汇总用它签名。"""
    ws = find_workspace()
    imported = links.import_link(ws, file)
    if as_json:
        print_json(imported.to_dict())
        return
    link = imported.link
    console.print(f"[green]已导入“{link.upper_name}”发来的汇总报送密钥。[/]本单位编码：{link.unit_code}（{link.unit_name}）")
    console.print(f"  密钥指纹：[bold]{link.fingerprint}[/]（请与上级电话核对，一致才说明密钥没有被调换）")
    if imported.replaced:
        console.print(f"  原来的密钥（指纹 {imported.replaced}）已被替换。")
    if imported.code_set:
        console.print(f"  本工作区原来没有设置单位编码，已在 taizhang.toml 中设为 {link.unit_code}。")
    console.print(f"导入后可以删除密钥文件 {file}。收齐各支部的台账后运行 [bold]taizhang rollup[/] 生成汇总报送文件。")


@link_app.command("list")
@handle_errors
def link_list(as_json: JsonOpt = False) -> None:
    """列出本单位为下级建立的上报链接，以及本单位从上级导入的密钥。"""
    ws = find_workspace()
    result = links.overview(ws)
    upper = result.upper
    if as_json:
        print_json(result.to_dict())
        return
    if result.lower:
        rows = [[r.link.unit_code, r.link.unit_name, r.link.fingerprint, r.link.created_at[:10], len(r.retired) or ""]
                for r in result.lower]
        console.print(table("为下级建立的上报链接", ["编码", "下级单位", "密钥指纹", "建立日期", "已作废的旧密钥"], rows,
                            key=2))
    else:
        console.print("还没有为下级党总支（党委）建立上报链接（用 taizhang link add 编码 建立）。")
    if upper:
        console.print(f"从上级“{upper.upper_name}”导入的密钥：本单位编码 {upper.unit_code}，指纹 {upper.fingerprint}，"
                      f"生成于 {upper.created_at[:10]}。")


@link_app.command("remove")
@handle_errors
def link_remove(
    code: Annotated[str, typer.Argument(metavar="单位编码", help="下级单位的编码。")],
    as_json: JsonOpt = False,
) -> None:
    """（上级用）删除一个下级的上报链接：此后它的汇总将被拒收（已收集的不受影响）。"""
    ws = find_workspace()
    removed = links.remove(ws, code)
    if as_json:
        print_json(removed.to_dict())
        return
    console.print(f"已删除“{removed.link.unit_name}”（{removed.link.unit_code}）的上报链接，此后它报送的汇总将被拒收。")


@handle_errors
def rollup(
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """（下级用）把本单位所属各支部当前的台账和统计数据汇总成一个签名文件（outbox 文件夹），报送上级。"""
    from taizhang.levels.send import rollup as rollup_workspace

    ws = find_workspace()
    result = rollup_workspace(ws, year=year, as_of=parse_as_of(as_of))
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"[green]已生成{result.identity.year}年台账汇总报送文件：[/]{result.path}")
    console.print(f"所属党支部{result.branches}个，其中{len(result.returned)}个的台账已汇总；"
                  f"签名密钥指纹 {result.identity.fingerprint}。")
    if result.missing:
        console.print("[yellow]尚未报送、未包含在汇总中：[/]" + "、".join(m["name"] for m in result.missing))
    if result.unlisted:
        console.print("[yellow]不在本单位组织结构中、未汇总：[/]" + "、".join(f"{u['name']}（{u['code']}）" for u in result.unlisted))
    console.print(f"请把这个文件原样报送给“{result.identity.upper_name}”（不要打开修改，改动后上级将拒收）。"
                  "支部重新报送后，再运行一次 taizhang rollup 即可，上级以最新的为准。")


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.add_typer(link_app, name="link")
    app.command("rollup")(rollup)
