"""A member list's rows as roster rows, each placed in its branch, and every problem on the way."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from taizhang import catalog
from taizhang.issue.memberlist import values as v
from taizhang.issue.memberlist.columns import HELPERS, ColumnUse
from taizhang.issue.memberlist.header import Header
from taizhang.issue.memberlist.placing import CODE_AGREEMENT, Matcher
from taizhang.issue.memberlist.table import SynonymTable
from taizhang.reading.base import RawSheet, column_letter
from taizhang.reading.normalise import clean_text
from taizhang.workspace.branches import Branch
from taizhang.workspace.definitions import Ledger

if TYPE_CHECKING:
    from taizhang.issue.memberlist import MemberImport

OPTIONS = ("gender", "education", "member_type", "person_category", "party_post", "standing")
DATES = ("birth_date", "join_date", "full_date", "change_date")
TEXTS = ("name", "ethnicity", "group", "note")
# 人员类别 from several columns: the roster's own first, then these (in this order).
CATEGORY_SOURCES = ("person_category", "person_status", "retired", "work_post")
_FOOTER = re.compile(r"^(合计|共计|总计|小计|制表|填表|审核|负责人|说明)")


def _date_text(d: date) -> str:
    return d.isoformat()


@dataclass
class Part:
    """One sheet of a member list: its header, its columns and, for a list kept one sheet per
    branch, the branch it stands for (the sheet's name or title, as written)."""

    name: str
    sheet: RawSheet
    head: Header
    columns: list[ColumnUse]
    branch: str | None = None


class _Rows:
    """Reads the rows of one sheet of a member list into a MemberImport."""

    def __init__(self, report: MemberImport, part: Part, roster: Ledger, table: SynonymTable,
                 mapped: Counter[tuple[str, str, str, str]],
                 months: dict[tuple[str, str, str], list[tuple[int, str, str]]]) -> None:
        self.report = report
        self.sheet = part.sheet
        self.sheet_name = part.name
        self.roster = roster
        self.table = table
        self.columns = part.columns
        self.used: dict[str, ColumnUse] = {c.use: c for c in part.columns if c.use}
        self.mapped = mapped
        self.months = months  # (sheet, column, use) → [(row, value, who)]: 只写了年月, said once per column
        self.filled = self._merged(part)

    def _merged(self, part: Part) -> dict[tuple[int, int], Any]:
        """Cells of the data rows inside a merged range, each holding the range's value (a 所在支部
        merged down over a branch's members means each of them), said once per range."""
        filled: dict[tuple[int, int], Any] = {}
        by_col = {c.col: c for c in part.columns if c.use}
        for r0, c0, r1, c1 in part.sheet.merged:
            if r0 < part.head.first_data or r1 <= r0:
                continue
            value = part.sheet.value(r0, c0)
            used = [by_col[c] for c in range(c0, c1 + 1) if c in by_col]
            if value is None or not used:
                continue
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    filled[(r, c)] = value
            self.problem("LIST-MERGED", r0 + 1, used[0], value=v.text(value),
                         range=f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}", first=r0 + 1, last=r1 + 1)
        return filled

    def problem(self, rule_id: str, row: int, col: ColumnUse | None, value: Any = "", **fields: Any) -> None:
        self.report.problems.append(catalog.make(
            rule_id, sheet=self.sheet_name, row=row, column=col.header if col else "",
            column_letter=col.letter if col else "", value=value, **fields))

    def cell(self, r: int, use: str) -> Any:
        col = self.used.get(use)
        if col is None:
            return None
        return self.filled.get((r, col.col), self.sheet.value(r, col.col))

    def target(self, use: str) -> str:
        return self.roster.column(use).header

    def note_mapping(self, use: str, written: str, option: str, source: str | None = None) -> None:
        col = self.used.get(source or use)
        self.mapped[(col.header if col else source or use, self.target(use), written, option)] += 1

    def row(self, r: int) -> dict[str, Any] | None:
        """The roster row of sheet row `r` (0-based), or None when it is not a member's row."""
        name = v.text(self.cell(r, "name"))
        excel = r + 1
        if not name:
            others = [v.text(self.filled.get((r, c.col), self.sheet.value(r, c.col))) for c in self.columns
                      if c.use and c.use not in ("name",)]
            others = [o for o in others if o]
            if others:
                self.problem("LIST-NO-NAME", excel, self.used["name"], value=others[0])
            return None
        if self.table.uses(name) or _FOOTER.match(name):  # a repeated header, a 合计 line
            return None
        values: dict[str, Any] = {"name": clean_text(name, single_line=True, join_cjk=True)}
        who = f"“{name}”"
        for use in TEXTS[1:]:
            if use in self.used:
                text = v.text(self.cell(r, use))
                if text:
                    values[use] = text
        for use in OPTIONS:
            if use not in self.used or use == "person_category":
                continue
            self.option(values, r, use, who)
        for use in DATES:
            if use in self.used:
                self.a_date(values, r, use, who)
        self.category(values, r, who)
        self.identity(values, r, who)
        return values

    def option(self, values: dict[str, Any], r: int, use: str, who: str) -> None:
        found = v.option(use, self.cell(r, use), self.roster.column(use).choices, self.table)
        if found.value is None:
            return
        values[use] = found.value
        if found.mapped_from:
            self.note_mapping(use, found.mapped_from, found.value)
        if found.finding:
            self.finding(found.finding, r, use, found.value, who)

    def finding(self, finding: v.Finding, r: int, use: str, value: Any, who: str) -> None:
        fields = dict(finding.fields)
        col = self.used.get(use)
        if finding.rule_id == "LIST-DATE" and fields["reason"].startswith("只写了年月（") and col is not None:
            self.months.setdefault((self.sheet_name, col.header, use), []).append((r + 1, str(value), who))
            return
        if "could" in fields:
            could = fields["could"]
            fields["could"] = ("，可能是" + "或".join(f"“{c}”" for c in could)) if could else ""
        self.problem(finding.rule_id, r + 1, self.used.get(use), value=value, name=who,
                     target=self.target(use) if use not in HELPERS else HELPERS[use], **fields)

    def a_date(self, values: dict[str, Any], r: int, use: str, who: str) -> None:
        found = v.a_date(self.cell(r, use))
        if found.value is None:
            return
        values[use] = found.value
        if found.finding:
            values.setdefault("_findings", {})[use] = found.finding

    def category(self, values: dict[str, Any], r: int, who: str) -> None:
        """人员类别 from the roster's own column, else 人员状态, 是否退休, 工作岗位 (a decisive value
        first); sources that disagree are LIST-CONFLICT."""
        choices = self.roster.column("person_category").choices if "person_category" in {
            c.key for c in self.roster.columns} else ()
        if not choices:
            return
        said: list[tuple[str, str, bool, str]] = []  # (use, category, decisive, as written)
        for use in CATEGORY_SOURCES:
            raw = self.cell(r, use)
            if use not in self.used or not v.text(raw):
                continue
            if use in ("person_category", "person_status"):
                found = v.option("person_category", raw, choices, self.table)
                if found.finding:
                    if use == "person_category":
                        self.finding(found.finding, r, use, found.value, who)
                    continue
                said.append((use, found.value, True, v.text(raw)))
            else:
                got = (v.from_retired if use == "retired" else v.from_work_post)(raw, self.table)
                if got is not None:
                    said.append((use, got[0], got[1], v.text(raw)))
        if not said:
            if "person_category" in self.used and v.text(self.cell(r, "person_category")):
                values["person_category"] = v.text(self.cell(r, "person_category"))
            return
        decisive = [s for s in said if s[2]]
        chosen = (decisive or said)[0]
        values["person_category"] = chosen[1]
        if chosen[3] != chosen[1]:
            self.note_mapping("person_category", chosen[3], chosen[1], chosen[0])
        if len({s[1] for s in decisive}) > 1:
            sources = "，".join(f"“{self.used[s[0]].header}”是“{s[3]}”" for s in decisive)
            self.problem("LIST-CONFLICT", r + 1, self.used[chosen[0]], value=chosen[3], name=who,
                         sources=sources, chosen=chosen[1])

    def identity(self, values: dict[str, Any], r: int, who: str) -> None:
        """出生日期 and 性别 checked against (or taken from) the 身份证号; date findings reported."""
        findings: dict[str, v.Finding] = values.pop("_findings", {})
        card = v.id_number(self.cell(r, "id_number")) if "id_number" in self.used else None
        id_col = self.used.get("id_number")
        if card is not None and not card.valid:
            self.problem("LIST-ID-INVALID", r + 1, id_col, value=card.text, name=who)
            card = None
        birth = values.get("birth_date")
        if card is not None and card.birth is not None and "birth_date" in {c.key for c in self.roster.columns}:
            if birth is None:
                values["birth_date"] = card.birth
                present = "birth_date" in self.used
                self.note_mapping("birth_date", "（空）" if present else "（表中没有出生日期列）", "按身份证号填写",
                                  "birth_date" if present else "id_number")
            elif isinstance(birth, date):
                if birth != card.birth:
                    self.problem("LIST-ID-MISMATCH", r + 1, self.used.get("birth_date"), value=_date_text(birth),
                                 name=who, what="出生日期", id_value=_date_text(card.birth))
            elif "birth_date" in findings:
                m = re.fullmatch(r"(\d{4})\D+(\d{1,2})\D*", str(birth))
                months = {int(m.group(2))} if m else set()
                if m and "也可能" in findings["birth_date"].fields.get("reason", ""):
                    months.add(int(m.group(2)) * 10)  # 1988.1 typed as a number: January or October
                if m and int(m.group(1)) == card.birth.year and card.birth.month in months:
                    values["birth_date"] = card.birth
                    findings.pop("birth_date")
                    self.note_mapping("birth_date", "只写了年月", "按身份证号补全日", "birth_date")
                elif m:
                    self.problem("LIST-ID-MISMATCH", r + 1, self.used.get("birth_date"), value=str(birth),
                                 name=who, what="出生日期", id_value=_date_text(card.birth))
        gender = values.get("gender")
        if card is not None and card.sex and "gender" in {c.key for c in self.roster.columns}:
            if not gender:
                values["gender"] = card.sex
                present = "gender" in self.used
                self.note_mapping("gender", "（空）" if present else "（表中没有性别列）", "按身份证号填写",
                                  "gender" if present else "id_number")
            elif gender in ("男", "女") and gender != card.sex:
                self.problem("LIST-ID-MISMATCH", r + 1, self.used.get("gender"), value=gender, name=who,
                             what="性别", id_value=card.sex)
        for use, finding in findings.items():
            self.finding(finding, r, use, values.get(use), who)


def read_rows(report: MemberImport, parts: list[Part], roster: Ledger, table: SynonymTable,
              branches: list[Branch], org: str) -> None:
    """Fill `report` with the list's members placed in their branches, the rows that could not
    be placed, the values written otherwise and the problems."""
    from taizhang.issue.memberlist import BranchShare, Mapping, Unplaced

    mapped: Counter[tuple[str, str, str, str]] = Counter()
    months: dict[tuple[str, str, str], list[tuple[int, str, str]]] = {}
    members: list[tuple[_Rows, int, dict[str, Any], str, str]] = []  # (sheet, row, values, branch name, code)
    for part in parts:
        reader = _Rows(report, part, roster, table, mapped, months)
        for r in range(part.head.first_data, len(part.sheet.cells)):
            values = reader.row(r)
            if values is None:
                continue
            name = part.branch if part.branch is not None else v.text(reader.cell(r, "branch"))
            members.append((reader, r + 1, values, name, v.text(reader.cell(r, "branch_code"))))
    report.members_read = len(members)
    _month_only(report, months, roster)

    matcher = Matcher(branches, org)
    by_name = {name: matcher.name(name) for name in dict.fromkeys(m[3] for m in members if m[3])}
    use_codes = _codes_agree([m[1:] for m in members], by_name, matcher)
    placed: dict[str, list[tuple[int, dict[str, Any], str, str]]] = defaultdict(list)
    unplaced: dict[str, list[int]] = defaultdict(list)
    first_reader: dict[str, _Rows] = {}
    for reader, excel, values, name, code in members:
        branch = matcher.code(code) if use_codes and code else None
        if branch is not None:
            placed[branch.code].append((excel, values, "编码", code))
            continue
        if not name:
            if code and use_codes:  # a code that is no branch's, and no name
                unplaced[code].append(excel)
                first_reader.setdefault(code, reader)
                continue
            report.blank_branch.append(excel)
            col = reader.used.get("branch") or reader.used.get("branch_code")
            reader.problem("LIST-BRANCH-BLANK", excel, col, name=f"“{values['name']}”")
            continue
        match = by_name[name]
        if match.branch is not None:
            placed[match.branch.code].append((excel, values, match.how, name))
        else:
            unplaced[name].append(excel)
            first_reader.setdefault(name, reader)
    for b in branches:
        got = placed.get(b.code)
        if not got:
            continue
        rows = [values for _, values, _, _ in got]
        excel_rows = [excel for excel, _, _, _ in got]
        at = set(excel_rows)
        report.shares.append(BranchShare(
            b.code, b.name, rows, excel_rows, list(dict.fromkeys(how for _, _, how, _ in got)),
            list(dict.fromkeys(w for _, _, _, w in got)), sum(1 for p in report.problems if p.row in at)))
    for value, rows in unplaced.items():
        reader = first_reader[value]
        col = reader.used.get("branch") or reader.used.get("branch_code")
        match = by_name.get(value)
        candidates = [f"{b.code} {b.name}" for b in (match.candidates if match else [])]
        report.unplaced.append(Unplaced(value, rows, candidates))
        shown = _rows_text(rows)
        if candidates:
            reader.problem("LIST-BRANCH-AMBIGUOUS", rows[0], col, value=value, rows=shown, count=len(rows),
                           candidates="或".join(f"“{c}”" for c in candidates))
        else:
            reader.problem("LIST-BRANCH-UNKNOWN", rows[0], col, value=value, rows=shown, count=len(rows))
    report.mappings = [Mapping(column, target, written, option, n)
                       for (column, target, written, option), n in mapped.items()]


MONTHS_ONE_BY_ONE = 3  # more rows of a column with a month only are said once for the column


def _month_only(report: MemberImport, months: dict[tuple[str, str, str], list[tuple[int, str, str]]],
                roster: Ledger) -> None:
    """Dates written as a month only: one LIST-DATE per row, or one LIST-MONTHS for a column
    where many are (a list whose 出生年月 column holds months throughout)."""
    for (sheet, column, use), found in months.items():
        target = roster.column(use).header
        if len(found) <= MONTHS_ONE_BY_ONE:
            for row, value, who in found:
                year, month = (int(x) for x in re.findall(r"\d+", unicodedata.normalize("NFKC", value))[:2])
                report.problems.append(catalog.make(
                    "LIST-DATE", sheet=sheet, row=row, column=column, value=value, name=who,
                    target=target, reason=f"只写了年月（{year}年{month}月），没有写哪一天"))
            continue
        rows = [row for row, _, _ in found]
        report.problems.append(catalog.make(
            "LIST-MONTHS", sheet=sheet, row=rows[0], column=column, value=found[0][1], count=len(found),
            rows=_rows_text(rows), target=target))


def _codes_agree(members: list[tuple[int, dict[str, Any], str, str]], by_name: dict[str, Any],
                 matcher: Matcher) -> bool:
    """Whether the list's code column is the branch list's codes: most codes are a branch's, and
    where the name also matches one branch, it is the same one."""
    coded = [(name, code) for _, _, name, code in members if code]
    if not coded:
        return False
    hits = [(name, matcher.code(code)) for name, code in coded]
    known = [(name, b) for name, b in hits if b is not None]
    if len(known) < CODE_AGREEMENT * len(coded):
        return False
    both = [(by_name[name].branch, b) for name, b in known if name and by_name[name].branch is not None]
    return not both or sum(a.code == b.code for a, b in both) >= CODE_AGREEMENT * len(both)


def _rows_text(rows: list[int], limit: int = 12) -> str:
    shown = "、".join(str(r) for r in rows[:limit])
    return shown + (f"等（共{len(rows)}行）" if len(rows) > limit else "")

