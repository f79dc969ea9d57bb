"""The roll-up workbook a lower level (党总支, 党委) sends up: its layout, its signature, and
reading it back at the upper level.

Layout (written by `rollup.write_rollup`):

- 说明: what the file is, for a person who opens it.
- 组织和报送情况: one row per unit of the lower level's tree (编码, 名称, 上级组织, 组织类别, …)
  with each branch's return status.
- 统计: the lower level's own key figures per branch and in total (from `statistics`).
- one sheet per ledger (党员名册, 三会一课, …): every branch's current rows, 支部编码 and 支部名称
  in front, 原表行号 = the row in the branch's own workbook.
- _returns (very hidden): per returned branch, where its return came from (file, time, hash,
  column letters, the file- and sheet-level problems found when it was collected), as JSON.
- _meta (very hidden): the identity (unit, upper unit, year, time made), the SHA-256 digest of
  the content of every other sheet *as the reader reads it*, the fingerprint of the link key,
  and the HMAC-SHA256 signature of all of these with the link key.

So the upper level can tell a roll-up from an unregistered unit (no link for its code), a forged
or re-keyed one (the signature does not verify with the registered key), and one altered after
signing (the content no longer matches the signed digest). Values, not bytes, are digested: a
file opened and saved without changes in Excel or LibreOffice is still accepted.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from taizhang import catalog
from taizhang.problems import Problem
from taizhang.reading.base import RawSheet, ReadLimits
from taizhang.reading.extract import find_sheet, fold_header
from taizhang.reading.normalise import as_text, clean_text, normalise
from taizhang.records import BranchReturn, LedgerData, Row
from taizhang.signing import META_SHEET, sign_fields, verify_fields
from taizhang.workspace.definitions import WorkbookDefinition

FORMAT = "taizhang-rollup/1"
INFO_SHEET = "说明"
UNITS_SHEET = "组织和报送情况"
STATS_SHEET = "统计"
RETURNS_SHEET = "_returns"
CODE_HEADER, NAME_HEADER, GROUP_HEADER, ROW_HEADER = "支部编码", "支部名称", "所属组织", "原表行号"
UNIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "单位编码"), ("name", "单位名称"), ("parent", "上级组织"), ("kind", "组织类别"),
    ("secretary", "书记"), ("contact", "联系人"), ("phone", "联系电话"),
)
JSON_CHUNK = 30000  # a cell holds at most 32,767 characters: long JSON is split over cells
ROLLUP_MAX_ROWS = 1_000_000  # a roll-up of a large organisation has many more rows than a return


@dataclass(frozen=True)
class RollupIdentity:
    """Who made a roll-up, for whom, when, and the digest of its content; all of it signed."""

    format: str
    unit_code: str
    unit_name: str
    upper_code: str
    upper_name: str
    year: int
    created_at: str
    branches: int  # branches whose returns it carries
    digest: str
    fingerprint: str  # of the link key that signed it (never the key)

    def items(self) -> list[tuple[str, str]]:
        """(field, value) pairs in a stable order, as written to `_meta`."""
        return [(f.name, str(getattr(self, f.name))) for f in fields(self)]

    def sign(self, key: bytes) -> str:
        """The hex HMAC-SHA256 of every field with the link key."""
        return sign_fields(key, dict(self.items()))

    def verify(self, key: bytes, signature: str) -> bool:
        """Whether `signature` was made for exactly these fields with `key`."""
        return verify_fields(key, dict(self.items()), signature)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RollupIdentity | None:
        """The identity from `_meta` values, or None when a field is missing or malformed."""
        try:
            values: dict[str, Any] = {f.name: _str(data[f.name]).strip() for f in fields(cls)}
            values["year"] = int(float(values["year"]))
            values["branches"] = int(float(values["branches"]))
        except (KeyError, ValueError, TypeError):
            return None
        return cls(**values)


@dataclass
class CarriedReturn:
    """One branch's return as a roll-up carries it, with where it started."""

    ret: BranchReturn
    submitted_at: str  # the branch's own submission time (orders returns: the newer wins)
    received_at: str  # when the lower level collected it
    file_name: str  # the branch's own file
    sha256: str
    verified: bool
    via: list[str] = field(default_factory=list)  # units it passed through below the sender
    problems: list[Problem] = field(default_factory=list)  # file- and sheet-level, as found below


@dataclass
class RollupContent:
    """A verified roll-up: its identity, the lower level's units and the returns it carries."""

    identity: RollupIdentity
    units: list[dict[str, str]]
    returns: list[CarriedReturn]


def _str(value: Any) -> str:
    return "" if value is None else as_text(value)


def rollup_limits(limits: ReadLimits) -> ReadLimits:
    """The read limits for a roll-up: the same byte budget, many more rows per sheet."""
    return ReadLimits(max_file_bytes=limits.max_file_bytes, max_unpacked_bytes=limits.max_unpacked_bytes,
                      max_ratio=limits.max_ratio, max_rows=max(limits.max_rows, ROLLUP_MAX_ROWS),
                      max_members=limits.max_members)


def _pairs(reader: Any, sheet: str) -> dict[str, Any]:
    try:
        cells = reader.rows(sheet).cells
    except Exception:  # a broken sheet is "not a roll-up", never a crash
        return {}
    return {_str(row[0]).strip(): row[1] for row in cells[:40] if len(row) >= 2 and row[0] not in (None, "")}


def meta(reader: Any) -> dict[str, Any]:
    """The `_meta` key–value pairs of a workbook ({} without a `_meta` sheet)."""
    return _pairs(reader, META_SHEET) if META_SHEET in reader.sheet_names else {}


def is_rollup(reader: Any) -> bool:
    """Whether a workbook says it is a roll-up (its `_meta` names the roll-up format)."""
    return _str(meta(reader).get("format")).strip().startswith("taizhang-rollup")


def canonical_value(value: Any) -> Any:
    """A cell value in the form that is digested: numbers as numbers (whole floats as ints),
    dates as ISO text, empty as None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        number = float(value)
        if math.isfinite(number) and number.is_integer():
            return int(number)
        return repr(round(number, 9))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _canonical_rows(cells: list[list[Any]]) -> list[list[Any]]:
    rows = []
    for row in cells:
        values = [canonical_value(v) for v in row]
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def content_digest(reader: Any) -> str:
    """The SHA-256 of every sheet but `_meta`, by name, as the reader reads its values."""
    h = hashlib.sha256(FORMAT.encode("utf-8"))
    for name in reader.sheet_names:
        if name == META_SHEET:
            continue
        cells = reader.rows(name).cells
        h.update(json.dumps([name, _canonical_rows(cells)], ensure_ascii=False, separators=(",", ":"),
                            default=str).encode("utf-8"))
    return h.hexdigest()


def json_cells(data: Any) -> list[str]:
    """`data` as JSON text split into cell-sized pieces."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return [text[i:i + JSON_CHUNK] for i in range(0, len(text), JSON_CHUNK)] or [""]


def _json_from(row: list[Any]) -> Any:
    return json.loads("".join(as_text(v) for v in row if v not in (None, "")))


def _refused(rule_id: str, **fields: Any) -> tuple[None, list[Problem]]:
    return None, [catalog.make(rule_id, **fields)]


def verify(reader: Any, keys: Mapping[str, Any], *, year: int,
           years: Collection[int] = ()) -> tuple[RollupIdentity | None, list[Problem]]:
    """Check a roll-up's identity, signature and digest against the registered link `keys`
    (unit code → links.LinkKey). Returns the identity when it may be read, or the problems that
    refuse it (ROLLUP-BROKEN, ROLLUP-UNREGISTERED, ROLLUP-SIGNATURE, ROLLUP-ALTERED, ID-WRONG-YEAR:
    a year other than `year` and the other rounds `years`)."""
    data = meta(reader)
    identity = RollupIdentity.from_mapping(data)
    if identity is None:
        return _refused("ROLLUP-BROKEN", reason="隐藏的身份信息（_meta）不完整")
    who = {"unit": identity.unit_name, "code": identity.unit_code}
    link = keys.get(identity.unit_code)
    if link is None:
        return _refused("ROLLUP-UNREGISTERED", reason="本单位没有为它建立上报链接", **who)
    if not identity.verify(link.key, _str(data.get("signature"))):
        if identity.fingerprint in link.retired:
            reason = f"签名用的是已作废的旧密钥（指纹 {identity.fingerprint}），请对方导入本单位新发的密钥文件后重新汇总"
        elif identity.fingerprint != link.fingerprint:
            reason = f"签名用的密钥（指纹 {identity.fingerprint}）不是本单位发给它的，文件可能是伪造的"
        else:
            reason = "签名与身份信息不符，身份信息在签名后被改动过"
        return _refused("ROLLUP-SIGNATURE", reason=reason, fingerprint=link.fingerprint, **who)
    try:
        digest = content_digest(reader)
    except Exception as exc:  # an unreadable sheet: the content cannot be what was signed
        return _refused("ROLLUP-ALTERED", detail=f"有工作表无法读取：{exc}", **who)
    if digest != identity.digest:
        return _refused("ROLLUP-ALTERED", detail="表格内容与签名时不一致", **who)
    if identity.year != year and identity.year not in years:
        return _refused("ID-WRONG-YEAR", year=identity.year, expected=year)
    return identity, []


def _header(sheet: RawSheet) -> dict[str, int]:
    out: dict[str, int] = {}
    for c, value in enumerate(sheet.cells[0] if sheet.cells else []):
        key = fold_header(value)
        if key and key not in out:
            out[key] = c
    return out


def _text(sheet: RawSheet, r: int, c: int | None) -> str:
    return "" if c is None else clean_text(_str(sheet.value(r, c)), single_line=True)


def read_units(reader: Any) -> list[dict[str, str]]:
    """The lower level's units from the 组织和报送情况 sheet, in its order."""
    sheet = reader.rows(UNITS_SHEET)
    header = _header(sheet)
    cols = {key: header.get(fold_header(text)) for key, text in UNIT_COLUMNS}
    units = []
    for r in range(1, len(sheet.cells)):
        unit = {key: _text(sheet, r, c) for key, c in cols.items()}
        if unit["code"]:
            units.append(unit)
    return units


def _shown(raw: Any) -> str:
    text = clean_text(_str(raw), single_line=True)
    return text if len(text) <= 60 else text[:59] + "…"


def read_content(reader: Any, identity: RollupIdentity, definition: WorkbookDefinition) -> RollupContent:
    """The units and the carried returns of a verified roll-up, every cell normalised by the
    upper level's definitions (a cell the branch typed unreadably is unreadable here too, with
    the same problem, placed in the branch's own sheet, row and column)."""
    units = read_units(reader)
    names = {u["code"]: u["name"] for u in units}
    carried: dict[str, CarriedReturn] = {}
    sheet = reader.rows(RETURNS_SHEET)
    for row in sheet.cells:
        if not row or row[0] in (None, ""):
            continue
        info = _json_from(row[1:])
        code = _str(row[0]).strip()
        ret = BranchReturn(branch_code=code, branch_name=names.get(code, info.get("name", "")),
                           year=identity.year, template_id=info.get("template_id", ""),
                           template_version=info.get("template_version", ""))
        for led in definition.ledgers:
            kept = (info.get("ledgers") or {}).get(led.id) or {}
            ret.ledgers[led.id] = LedgerData(led.id, led.sheet, letters=dict(kept.get("letters") or {}),
                                             present=bool(kept.get("present", led.id in (info.get("ledgers") or {}))))
        carried[code] = CarriedReturn(
            ret=ret, submitted_at=info.get("submitted_at", ""), received_at=info.get("received_at", ""),
            file_name=info.get("file_name", ""), sha256=info.get("sha256", ""),
            verified=bool(info.get("verified", False)), via=list(info.get("via") or []),
            problems=[Problem.from_dict(p) for p in info.get("problems") or []],
        )
    for led in definition.ledgers:
        name = find_sheet(list(reader.sheet_names), led.sheet)
        if name is None:
            continue
        sheet = reader.rows(name)
        header = _header(sheet)
        code_c, row_c = header.get(fold_header(CODE_HEADER)), header.get(fold_header(ROW_HEADER))
        if code_c is None:
            continue
        columns = [(col, header.get(fold_header(col.header))) for col in led.columns]
        for r in range(1, len(sheet.cells)):
            item = carried.get(_text(sheet, r, code_c))
            if item is None:
                continue
            number = sheet.value(r, row_c) if row_c is not None else None
            excel_row = int(number) if isinstance(number, (int, float)) and float(number).is_integer() else r + 1
            data = item.ret.ledgers[led.id]
            row = Row(excel_row=excel_row, values={col.key: None for col in led.columns})
            for col, c in columns:
                if c is None:
                    continue
                raw = sheet.value(r, c)
                cell = normalise(col, raw)
                row.values[col.key] = cell.value
                if cell.invalid and cell.issue is not None:
                    row.invalid.add(col.key)
                    row.raw[col.key] = clean_text(_str(raw), single_line=False)
                    item.problems.append(catalog.make(
                        cell.issue.rule_id, value=_shown(raw), sheet=led.sheet, row=excel_row,
                        column=col.header, column_letter=data.letters.get(col.key, ""), **cell.issue.fields))
            data.rows.append(row)
    return RollupContent(identity=identity, units=units, returns=list(carried.values()))
