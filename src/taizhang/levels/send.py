"""Roll up: a lower level's (党总支, 党委) signed, consolidated return for the level above.

`rollup(ws)` takes the current return of every 党支部 under the workspace (those that came in
roll-ups from further down included), the level's own statistics, and writes
``outbox/<编码>_<单位名称>_<年度>年党建工作台账汇总.xlsx``: a workbook a person can read and the
upper level's `taizhang collect` takes in (layout and signature: `rollup_format`). It is signed
with the link key imported from the upper level (`links.import_link`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from taizhang import catalog, clock, reading
from taizhang.collect.status import statuses
from taizhang.consolidate.ledger_book import write_ledger_sheet
from taizhang.errors import TaizhangError
from taizhang.levels import hierarchy, links
from taizhang.levels.rollup_format import (
    FORMAT,
    INFO_SHEET,
    RETURNS_SHEET,
    STATS_SHEET,
    UNIT_COLUMNS,
    UNITS_SHEET,
    RollupIdentity,
    content_digest,
    json_cells,
    rollup_limits,
    verify,
)
from taizhang.party.periods import Period
from taizhang.problems import Problem
from taizhang.records import BranchReturn
from taizhang.safeio import atomic_path, new_xlsx, safe_filename
from taizhang.statistics.load import load_stats
from taizhang.statistics.model import BranchStats, NoReturns, Stats
from taizhang.vocabulary import MISSING
from taizhang.workspace import Workspace, writes
from taizhang.workspace.store import Store
from taizhang.xlsx import Formats, print_setup, text_width, write_meta_sheet, write_value

CARRIED_SCOPES = ("文件", "工作表")  # problems that cannot be found again from the rows alone
PROTECT = {"autofilter": True, "format_columns": True, "format_rows": True,
           "select_locked_cells": True, "select_unlocked_cells": True}


@dataclass
class RollupResult:
    """What `rollup` wrote: where, its signed identity, and which branches it carries."""

    path: Path
    identity: RollupIdentity
    branches: int  # 党支部 under this workspace
    returned: list[dict[str, str]] = field(default_factory=list)  # code, name of the returns carried
    missing: list[dict[str, str]] = field(default_factory=list)  # branches without a return
    unlisted: list[dict[str, str]] = field(default_factory=list)  # returns of codes not in the tree
    rows: dict[str, int] = field(default_factory=dict)  # ledger sheet -> rows carried

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the identity's fields, then the rest."""
        data = {k: v for k, v in self.__dict__.items() if k != "identity"}
        return {**dict(self.identity.items()), "year": self.identity.year, **data, "path": str(self.path)}


@dataclass
class _Item:
    unit: hierarchy.Unit
    sub: Any  # store.Submission
    ret: BranchReturn
    problems: list[Problem]
    source: Any  # store.RollupSource or None


@dataclass
class _Draft:
    """Everything the roll-up workbook shows, gathered before it is written (it is written twice)."""

    link: links.Link
    org_name: str
    year: int
    created_at: str
    tree: hierarchy.Tree
    items: list[_Item]
    stats: Stats


def rollup_name(link: links.Link, year: int) -> str:
    """`<编码>_<单位名称>_<年度>年党建工作台账汇总.xlsx`, safe as a file name."""
    return f"{safe_filename(link.unit_code)}_{safe_filename(link.unit_name)}_{year}年党建工作台账汇总.xlsx"


@writes("taizhang rollup")
def rollup(ws: Workspace, *, year: int | None = None, as_of: date | None = None) -> RollupResult:
    """Write the signed roll-up of `year` (default: the workspace's) into outbox/; return what it
    holds. Raises InputError without an imported link, NoReturns when nothing was collected."""
    link = links.require_uplink(ws)
    settings = ws.settings
    year = year or settings.year
    as_of = as_of or date.today()
    tree = hierarchy.load(ws, year=year)
    leaves = tree.branches()
    items: list[_Item] = []
    with Store.read(ws.store_path) as store:
        current = store.current(year)
        sources = store.rollup_sources(year)
        for unit in leaves:
            sub = current.get(unit.code)
            if sub is not None:
                items.append(_Item(unit, sub, store.load_return(sub.id), store.problems(sub.id), sources.get(sub.id)))
    if not items:
        raise NoReturns(f"还没有收集到{year}年本单位所属支部的任何台账，无法汇总报送。"
                        "请先用 taizhang collect 收集各支部的台账。")
    stats = load_stats(ws, Period.year(year), as_of=as_of, statuses=statuses(ws, [year]))
    created_at = clock.stamp()
    draft = _Draft(link, settings.org_name, year, created_at, tree, items, stats)
    path = ws.folder("outbox") / rollup_name(link, year)
    limits = rollup_limits(reading.ReadLimits.from_settings(settings))
    with atomic_path(path) as tmp:
        _write(tmp, draft, ws.definitions, None)
        with reading.open_workbook(tmp, limits) as reader:
            digest = content_digest(reader)
        identity = RollupIdentity(
            format=FORMAT, unit_code=link.unit_code, unit_name=link.unit_name, upper_code=link.upper_code,
            upper_name=link.upper_name, year=year, created_at=created_at, branches=len(items),
            digest=digest, fingerprint=link.fingerprint,
        )
        rows = _write(tmp, draft, ws.definitions, (identity, identity.sign(link.key)))
        # Read it as the upper level will: a roll-up we cannot verify ourselves is never sent.
        key = links.LinkKey(link.unit_code, link.unit_name, link.key, link.fingerprint)
        with reading.open_workbook(tmp, limits) as reader:
            checked, problems = verify(reader, {link.unit_code: key}, year=year)
        if checked is None:  # pragma: no cover - a bug, not a user's mistake
            raise TaizhangError("生成的汇总未能通过自检：" + "；".join(p.message for p in problems))
    return RollupResult(
        path=path, identity=identity, branches=len(leaves), rows=rows,
        returned=[{"code": i.unit.code, "name": i.unit.name} for i in items],
        missing=[{"code": u.code, "name": u.name} for u in leaves if u.code not in current],
        unlisted=[{"code": c, "name": s.branch_name} for c, s in sorted(current.items())
                  if tree.get(c) is None or not tree.units[c].is_branch],
    )


def _write(path: Path, draft: _Draft, definitions: Any, signed: tuple[RollupIdentity, str] | None) -> dict[str, int]:
    """Write the workbook (with `_meta` when `signed`); return the rows per ledger sheet."""
    wb = new_xlsx(path)
    wb.set_properties({"title": f"{draft.link.unit_name}{draft.year}年党建工作台账汇总",
                       "author": draft.org_name, "company": draft.org_name,
                       "comments": "由 taizhang rollup 生成，带有签名，请勿修改。"})
    f = Formats(wb)
    groups = {i.unit.code: "／".join(u.name for u in draft.tree.group_path(i.unit.code)) for i in draft.items}
    _info_sheet(wb, f, draft)
    _units_sheet(wb, f, draft)
    _stats_sheet(wb, f, draft.stats, groups)
    rows: dict[str, int] = {}
    returns = [(i.ret, i.sub) for i in draft.items]
    for ledger in definitions.ledgers:
        sheet, rows[ledger.sheet] = write_ledger_sheet(wb, f, ledger, returns, groups=groups, row_numbers=True)
        sheet.protect("", PROTECT)
    data = wb.add_worksheet(RETURNS_SHEET)
    for r, item in enumerate(draft.items):
        data.write_string(r, 0, item.unit.code)
        for c, chunk in enumerate(json_cells(_return_info(item)), start=1):
            data.write_string(r, c, chunk)
    data.very_hidden()
    data.protect()
    if signed is not None:
        write_meta_sheet(wb, signed[0], signed[1])
    wb.close()
    return rows


def _return_info(item: _Item) -> dict[str, Any]:
    """Where a carried return started and what the upper level cannot find again from its rows."""
    sub, src = item.sub, item.source
    carried = [p.to_dict() for p in item.problems
               if p.rule_id in catalog.RULES and catalog.get(p.rule_id).scope in CARRIED_SCOPES]
    return {
        "name": sub.branch_name,
        "submitted_at": sub.submitted_at,
        "received_at": src.lower_received_at if src else sub.received_at,
        "file_name": src.original_file if src else sub.file_name,
        "sha256": src.original_sha256 if src else sub.sha256,
        "verified": sub.verified,
        "via": [src.unit_code, *src.via] if src else [],
        "template_id": sub.template_id,
        "template_version": sub.template_version,
        "ledgers": {lid: {"sheet": led.sheet, "present": led.present, "letters": led.letters}
                    for lid, led in item.ret.ledgers.items()},
        "problems": carried,
    }


def _stamp(text: str) -> str:
    return text[:16].replace("T", " ")


def _info_sheet(wb: Any, f: Formats, d: _Draft) -> None:
    sh = wb.add_worksheet(INFO_SHEET)
    sh.set_column(0, 0, 14)
    sh.set_column(1, 1, 72)
    sh.set_paper(9)
    sh.fit_to_pages(1, 0)
    sh.center_horizontally()
    sh.merge_range(0, 0, 0, 1, f"{d.link.unit_name}{d.year}年党建工作台账汇总报送", f.title)
    sh.set_row(0, 30)
    upper = d.link.upper_name + (f"（编码 {d.link.upper_code}）" if d.link.upper_code else "")
    leaves = d.tree.branches()
    lines = [
        ("报送单位", f"{d.link.unit_name}（编码 {d.link.unit_code}）"),
        ("报送给", upper),
        ("台账年度", f"{d.year}年"),
        ("生成时间", _stamp(d.created_at)),
        ("包含支部", f"所属党支部{len(leaves)}个，其中{len(d.items)}个的台账在本文件中（见“{UNITS_SHEET}”表）"),
        ("密钥指纹", d.link.fingerprint),
        ("说明", "本文件由 taizhang rollup 生成，汇总了本单位所属各党支部当前报送的台账，供上级用 taizhang collect 收集。\n"
                 "文件带有签名：用 Excel 或 WPS 打开查看没有关系，但改动任何内容后上级将拒收。如需修改，请在本单位的"
                 "工作区中收集各支部修改后的台账，再运行 taizhang rollup 重新生成。\n"
                 f"“{UNITS_SHEET}”表是本单位的组织结构和各支部的报送情况；“{STATS_SHEET}”表是本单位的主要统计数据；"
                 "其余各表是各支部台账的数据，“原表行号”是该行在支部台账中的行号。"),
    ]
    for r, (label, value) in enumerate(lines, start=2):
        sh.write_string(r, 0, label, f.head)
        sh.write_string(r, 1, value, f.wrap)
        sh.set_row(r, 14 * sum(-(-text_width(line) // 70) for line in value.splitlines()) + 4)
    sh.protect("", PROTECT)
    sh.activate()


def _units_sheet(wb: Any, f: Formats, d: _Draft) -> None:
    sh = wb.add_worksheet(UNITS_SHEET)
    headers = [h for _k, h in UNIT_COLUMNS] + ["报送状态", "报送时间", "收到时间", "原文件", "错误", "警告", "来源核实"]
    widths = [text_width(h) for h in headers]
    for c, h in enumerate(headers):
        sh.write_string(0, c, h, f.head)
    by_code = {i.unit.code: i for i in d.items}
    status = {b.code: b.status for b in d.stats.per_branch}
    for r, unit in enumerate(d.tree.units.values(), start=1):
        values: list[Any] = [getattr(unit, key) for key, _h in UNIT_COLUMNS]
        item = by_code.get(unit.code)
        if unit.is_branch:
            st = status.get(unit.code)
            values.append(st.state if st else MISSING)
            if item is not None:
                info = _return_info(item)
                values += [_stamp(item.sub.submitted_at), _stamp(info["received_at"]), info["file_name"],
                           item.sub.errors, item.sub.warnings, "是" if item.sub.verified else "否"]
        for c, value in enumerate(values):
            widths[c] = max(widths[c], write_value(sh, r, c, value, f))
    for c, w in enumerate(widths):
        sh.set_column(c, c, min(w + 2, 40))
    print_widths = [min(w + 2, 40) for w in widths]
    sh.freeze_panes(1, 2)
    sh.autofilter(0, 0, max(len(d.tree.units), 1), len(headers) - 1)
    print_setup(sh, header_rows=(0, 0), widths=print_widths, key_columns=2)
    sh.protect("", PROTECT)


def _figures(b: BranchStats) -> list[Any]:
    m, me, a, du, rc = b.membership, b.meetings, b.activities, b.dues, b.recruitment
    if m is None or me is None or a is None or du is None or rc is None:
        return []
    short = "、".join(c.title for c in b.short) if b.code else ""
    return [m.total, m.full, m.probationary, me.general, me.committee, me.group, me.lectures,
            a.by_type.get("主题党日", 0), a.by_type.get("组织生活会", 0), a.by_type.get("民主评议党员", 0),
            a.talk_person_times, du.due, du.paid, du.rate_display, rc.applied, rc.admitted, rc.confirmed,
            short or ("" if not b.code else "—")]


SHORT_WIDTH = 30  # the 未达标项目 column wraps at about this width
STATS_HEADERS = ["党员人数", "正式党员", "预备党员", "支部党员大会", "支委会", "党小组会", "党课", "主题党日",
                 "组织生活会", "民主评议党员", "谈心谈话人次", "应交党费（元）", "实交党费（元）", "收缴率",
                 "递交入党申请书", "接收预备党员", "预备党员转正", "未达标项目"]


def _stats_sheet(wb: Any, f: Formats, stats: Stats, groups: dict[str, str]) -> None:
    sh = wb.add_worksheet(STATS_SHEET)
    headers = ["支部编码", "支部名称", "所属组织", "报送状态", *STATS_HEADERS]
    widths = [text_width(h) for h in headers]
    for c, h in enumerate(headers):
        sh.write_string(0, c, h, f.head)
    widths = [max(4, -(-w // 2)) for w in widths]  # headers wrap onto two lines
    sh.set_row(0, 30)
    rows = [*stats.per_branch, stats.total]
    short_c = len(headers) - 1
    for r, b in enumerate(rows, start=1):
        state = b.status.state if b.code else f"已报送{len(stats.returned)}个"
        values = [b.code, b.name, groups.get(b.code, ""), state, *_figures(b)]
        for c, value in enumerate(values):
            width = write_value(sh, r, c, value, f, kind="wrap" if c == short_c else "")
            widths[c] = max(widths[c], width if c != short_c else 0)
        if len(values) > short_c and values[short_c]:
            sh.set_row(r, 14 * -(-text_width(values[short_c]) // SHORT_WIDTH) + 2)
    widths[short_c] = SHORT_WIDTH
    for c, w in enumerate(widths):
        sh.set_column(c, c, min(w + 2, 40))
    print_widths = [min(w + 2, 40) for w in widths]
    sh.freeze_panes(1, 2)
    print_setup(sh, header_rows=(0, 0), widths=print_widths, key_columns=2)
    sh.protect("", PROTECT)
