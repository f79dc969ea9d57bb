"""Identify a returned workbook: whose is it, for which year and template, and can we trust that?

The signed `_meta` sheet (or the same fields in the custom document properties) decides; file
names are never trusted. Without identity we fall back to the branch name on 填表说明 and then
the file name, and say that the origin could not be verified.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from taizhang import catalog
from taizhang.problems import Problem, Severity
from taizhang.signing import META_SHEET, PROPERTY_PREFIX, Identity
from taizhang.workspace.branches import Branch


class SheetSource(Protocol):
    """What identify needs from a workbook reader."""

    sheet_names: list[str]

    def rows(self, name: str) -> Any: ...


@dataclass
class Identification:
    """The verdict on a workbook's origin."""

    branch: Branch | None
    year: int | None
    identity: Identity | None
    verified: bool
    how: str  # 签名 / 填表说明 / 文件名 / ""
    problems: list[Problem] = field(default_factory=list)
    signature: str = ""

    @property
    def accepted(self) -> bool:
        """Whether the file may be stored as `branch`'s return."""
        return self.branch is not None and not any(p.severity is Severity.ERROR for p in self.problems)


def _fold(text: Any) -> str:
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    text = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", text).strip("*＊")


def _pairs(reader: SheetSource, sheet: str, limit: int = 60) -> dict[str, Any]:
    try:
        cells = reader.rows(sheet).cells
    except Exception:  # a broken sheet must not stop identification
        return {}
    out: dict[str, Any] = {}
    for row in cells[:limit]:
        values = [v for v in row if v not in (None, "")]
        if len(values) >= 2:
            out.setdefault(_fold(values[0]), values[1])
    return out


def read_identity(reader: SheetSource, properties: dict[str, str]) -> tuple[Identity | None, str]:
    """The identity and signature claimed by `_meta` (any visibility) or the document properties."""
    candidates: list[tuple[Identity, str]] = []
    if META_SHEET in reader.sheet_names:
        meta = _pairs(reader, META_SHEET)
        ident = Identity.from_mapping({k: v for k, v in meta.items()})
        if ident is not None:
            candidates.append((ident, str(meta.get("signature", ""))))
    props = {k[len(PROPERTY_PREFIX):]: v for k, v in properties.items() if k.startswith(PROPERTY_PREFIX)}
    ident = Identity.from_mapping(props) if props else None
    if ident is not None:
        candidates.append((ident, str(props.get("signature", ""))))
    if not candidates:
        return None, ""
    return candidates[0]


def identify(
    reader: SheetSource,
    *,
    properties: dict[str, str],
    file_name: str,
    branches: dict[str, Branch],
    key: bytes,
    year: int,
    instructions_sheet: str = "填表说明",
    current_version: str = "",
    unverified: str = "warn",
    years: Collection[int] = (),
) -> Identification:
    """Decide whose return a workbook is. Problems say why a file is refused or not verified.

    The year is the workbook's own (signed, or claimed on 填表说明): a workbook of `year` (the
    workspace's) or of another year in `years` (the rounds this workspace has run) is that
    year's return; any other year is refused (ID-WRONG-YEAR)."""
    identity, signature = read_identity(reader, properties)
    info = _pairs(reader, instructions_sheet) if instructions_sheet in reader.sheet_names else {}
    claimed_name = _fold(info.get("支部名称", ""))
    if identity is not None:
        label = f"“{identity.branch_name}”"
        if not identity.verify(key, signature):
            reason = "签名与内容不符，或不是用本单位的密钥签发的"
            return Identification(None, identity.year, identity, False, "签名", [
                catalog.make("ID-SIGNATURE", reason=reason, branch=label)])
        branch = branches.get(identity.branch_code)
        if branch is None:
            return Identification(None, identity.year, identity, True, "签名", [
                catalog.make("ID-UNKNOWN-BRANCH", branch=f"{identity.branch_code} {identity.branch_name}")])
        problems: list[Problem] = []
        if identity.year != year:
            problems.append(_year_problem(identity.year, year, years))
        if claimed_name and claimed_name != _fold(identity.branch_name):
            problems.append(catalog.make(
                "ID-WRONG-BRANCH", signed=identity.branch_name, claimed=info.get("支部名称"),
                sheet=instructions_sheet,
            ))
        if current_version and identity.template_version != current_version:
            problems.append(catalog.make(
                "ID-OLD-TEMPLATE", version=identity.template_version, current=current_version))
        return Identification(branch, identity.year, identity, True, "签名", problems, signature)
    # No identity: the branch name on 填表说明, then the file name.
    by_name = {_fold(b.name): b for b in branches.values()}
    branch, how = None, ""
    if claimed_name and claimed_name in by_name:
        branch, how = by_name[claimed_name], "填表说明中的支部名称"
    if branch is None:
        branch = _from_file_name(file_name, branches)
        how = "文件名" if branch else ""
    claimed_year = _year(info.get("台账年度"))
    if branch is None:
        reason = "没有身份信息，填表说明和文件名中也找不到名单中的支部"
        return Identification(None, claimed_year, None, False, "", [catalog.make("ID-UNIDENTIFIED", reason=reason)])
    problems = [catalog.make(
        "ID-UNVERIFIED", how=how, branch=branch.name,
        severity=Severity.ERROR if unverified == "refuse" else None,
    )]
    if claimed_year is not None and claimed_year != year:
        problems.append(_year_problem(claimed_year, year, years))
    return Identification(branch, claimed_year or year, None, False, how, problems)


def _year_problem(found: int, year: int, years: Collection[int]) -> Problem:
    """ID-OTHER-YEAR (提示) for a workbook of another round of this workspace, else ID-WRONG-YEAR."""
    if found in years:
        return catalog.make("ID-OTHER-YEAR", year=found, expected=year)
    return catalog.make("ID-WRONG-YEAR", year=found, expected=year)


def _year(value: Any) -> int | None:
    match = re.search(r"(\d{4})", _fold(value))
    return int(match.group(1)) if match else None


def _from_file_name(file_name: str, branches: dict[str, Branch]) -> Branch | None:
    stem = _fold(Path(file_name).stem)
    # The longest branch name contained in the file name wins (第一党支部 vs 机关第一党支部).
    named = sorted((b for b in branches.values() if b.name and _fold(b.name) in stem),
                   key=lambda b: len(b.name), reverse=True)
    if named:
        return named[0]
    match = re.match(r"([0-9A-Za-z\-]+)_", stem)
    if match and match.group(1) in branches:
        return branches[match.group(1)]
    return None


def identify_claimed(
    reader: SheetSource,
    *,
    properties: dict[str, str],
    file_name: str,
    key: bytes | None,
    default_year: int,
    template_id: str,
    current_version: str,
) -> Identification:
    """A branch's self-check: whose workbook it says it is, with no branch list to match.

    The identity in `_meta` (or the properties) is taken as claimed; with the workspace's `key` it
    is verified (a failed signature is an error, as in collect), without one it cannot be. A
    workbook with no identity is checked as the file's own, for `default_year`."""
    identity, signature = read_identity(reader, properties)
    if identity is None:
        stem = Path(file_name).stem
        problems = [catalog.make("ID-UNVERIFIED", how="文件内容", branch=stem, severity=Severity.WARNING)]
        return Identification(Branch("", stem), default_year, None, False, "", problems)
    problems = []
    verified = False
    if key is not None:
        verified = identity.verify(key, signature)
        if not verified:
            problems.append(catalog.make("ID-SIGNATURE", reason="签名与内容不符，或不是用本单位的密钥签发的",
                                         branch=f"“{identity.branch_name}”", severity=Severity.WARNING))
    if identity.template_id != template_id:
        problems.append(catalog.make("ID-OLD-TEMPLATE", version=f"{identity.template_id} {identity.template_version}",
                                     current=f"{template_id} {current_version}"))
    elif identity.template_version != current_version:
        problems.append(catalog.make("ID-OLD-TEMPLATE", version=identity.template_version, current=current_version))
    return Identification(Branch(identity.branch_code, identity.branch_name), identity.year, identity, verified,
                          "签名" if verified else "", problems, signature)
