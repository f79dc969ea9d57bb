"""The committee's own ledger, 党委工作台账.xlsx in the workspace root, filled by the office.

What the 党委（党工委） itself did — its meetings with their 第一议题, the 理论学习中心组, 书记讲党课
at every level, 意识形态研判, the documents it issued, its key tasks and their progress, its
honours — for the reports that speak of the committee's own work (the 总结 puts it first).

`write_template(path)` writes the empty workbook (drop-downs, input messages, a 填表说明 sheet);
`taizhang init` makes one, `taizhang committee template` makes one for an older workspace.
`load(ws, year)` reads it as untrusted input, through the same reading layer as the branches'
returns, and returns a `CommitteeLedger` of that year's rows: a row that cannot be used (a missing
date or 类别, a 类别 not in the list) is left out and reported as a Problem, never raised.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang import catalog
from taizhang.committee.definition import (
    CENTRE_GROUP,
    COMMITTEE_MEETING,
    COMMITTEE_MEETING_KINDS,
    FILE_NAME,
    IDEOLOGY,
    LECTURE_LEVELS,
    LEDGERS,
    SECRETARY_LECTURE,
)
from taizhang.problems import Problem
from taizhang.records import Row, date_of, int_of, text_of

if TYPE_CHECKING:
    from taizhang.workspace import Workspace

__all__ = [
    "CENTRE_GROUP",
    "COMMITTEE_MEETING",
    "COMMITTEE_MEETING_KINDS",
    "FILE_NAME",
    "IDEOLOGY",
    "LECTURE_LEVELS",
    "SECRETARY_LECTURE",
    "CommitteeLedger",
    "CommitteeMeeting",
    "Document",
    "Honour",
    "KeyTask",
    "ensure_template",
    "load",
    "path_of",
    "read",
    "write_template",
]


@dataclass(frozen=True)
class CommitteeMeeting:
    """A 党委会议, 理论学习中心组学习, 书记讲党课 or 意识形态研判 (`kind`)."""

    date: date
    kind: str
    topic: str
    first_topic: str = ""  # the 第一议题 studied at it ("" when none)
    speaker: str = ""  # who chaired it, or gave the 党课
    note: str = ""  # for a 书记讲党课: the speaker's level (党委书记, 支部书记 …)


@dataclass(frozen=True)
class Document:
    """A document the committee issued (制度建设)."""

    date: date
    doc_no: str
    title: str


@dataclass(frozen=True)
class KeyTask:
    """One of the year's 重点任务, its measures and progress (0–100, None when not given)."""

    name: str
    measures: str = ""
    progress: int | None = None
    note: str = ""
    year: int = 0


@dataclass(frozen=True)
class Honour:
    """An honour given to the committee, a unit or a member under it."""

    date: date | None
    name: str
    level: str = ""
    awarded_by: str = ""
    recipient: str = ""
    note: str = ""


@dataclass
class CommitteeLedger:
    """The committee's ledger for one year, and the problems found reading the file."""

    year: int
    meetings: list[CommitteeMeeting] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    tasks: list[KeyTask] = field(default_factory=list)
    honours: list[Honour] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    path: str = ""
    found: bool = False  # whether the file exists

    def by_kind(self, kind: str) -> list[CommitteeMeeting]:
        """The meetings of one kind (党委会议 …), in date order."""
        return [m for m in self.meetings if m.kind == kind]

    @property
    def first_topics(self) -> list[CommitteeMeeting]:
        """The meetings at which a 第一议题 was studied."""
        return [m for m in self.meetings if m.first_topic]

    @property
    def empty(self) -> bool:
        """Whether nothing of the year is recorded."""
        return not (self.meetings or self.documents or self.tasks or self.honours)

    def counts(self) -> dict[str, int]:
        """How many of each kind of meeting, 第一议题, documents, tasks and honours."""
        out = {kind: len(self.by_kind(kind)) for kind in COMMITTEE_MEETING_KINDS}
        out.update({"第一议题": len(self.first_topics), "制度建设": len(self.documents),
                    "重点任务": len(self.tasks), "荣誉": len(self.honours)})
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO text)."""
        def rows(items: list[Any]) -> list[dict[str, Any]]:
            return [{k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(x).items()} for x in items]

        return {
            "year": self.year, "path": self.path, "found": self.found, "counts": self.counts(),
            "meetings": rows(self.meetings), "documents": rows(self.documents), "tasks": rows(self.tasks),
            "honours": rows(self.honours), "problems": [p.to_dict() for p in self.problems],
        }


def write_template(path: Path, *, org: str = "", rows: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write the committee ledger to `path` atomically (see `committee.template.write_template`);
    the writer is imported when used, so that commands which only read start fast."""
    from taizhang.committee.template import write_template as write

    return write(path, org=org, rows=rows)


def path_of(ws: Workspace) -> Path:
    """Where a workspace keeps its committee ledger."""
    return ws.root / FILE_NAME


def ensure_template(ws: Workspace, *, org: str = "") -> bool:
    """Write the empty committee ledger into the workspace unless one is there; whether it did."""
    path = path_of(ws)
    if path.exists():
        return False
    write_template(path, org=org or ws.settings.org_name)
    return True


def load(ws: Workspace, year: int | None = None) -> CommitteeLedger:
    """The committee ledger's rows of `year` (default: the workspace's year). An empty ledger
    when the file is missing; problems as values for anything that cannot be read."""
    year = ws.settings.year if year is None else year
    return read(path_of(ws), year)


def read(path: Path, year: int) -> CommitteeLedger:
    """Read a committee ledger file for `year` (see `load`)."""
    from taizhang import reading
    from taizhang.reading.extract import extract_ledger, find_sheet

    path = Path(path)
    out = CommitteeLedger(year=year, path=str(path), found=path.exists())
    if not out.found:
        return out
    try:
        reader = reading.open_workbook(path)
    except reading.UnreadableFile as exc:
        out.problems.append(catalog.make(exc.rule_id, reason=exc.reason))
        return out
    with reader:
        for ledger in LEDGERS:
            name = find_sheet(list(reader.sheet_names), ledger.sheet)
            try:
                sheet = reader.rows(name) if name is not None else None
            except reading.UnreadableFile as exc:
                out.problems.append(catalog.make("FILE-UNREADABLE", sheet=ledger.sheet,
                                                 reason=f"“{name}”工作表无法读取（{exc.reason}）"))
                continue
            data, problems = extract_ledger(ledger, sheet, name or ledger.sheet)
            by_row: dict[int, list[Problem]] = {}
            for p in problems:
                by_row.setdefault(p.row or 0, []).append(p)
            out.problems += by_row.pop(0, [])
            for row in data.rows:
                row_problems = by_row.pop(row.excel_row, []) + _check_cells(ledger, row, data.letters)
                belongs = _row_year(ledger.id, row)
                if belongs is not None and belongs != year:
                    continue  # another year's row: its problems are that year's
                out.problems += row_problems
                if belongs is None or any(p.severity.rank == 0 and p.rule_id != "CELL-RANGE" for p in row_problems):
                    continue  # not usable: the problems say why (a number out of range is only left out)
                _add(out, ledger.id, row)
            for rest in by_row.values():
                out.problems += rest
    return out


def _row_year(ledger_id: str, row: Row) -> int | None:
    if ledger_id == "tasks":
        return int_of(row, "year")
    day = date_of(row, "date")
    return day.year if day is not None else None


def _check_cells(ledger: Any, row: Row, letters: dict[str, str]) -> list[Problem]:
    """Required cells, drop-down values and number ranges of one row (as the returns' cell checks)."""
    out = []
    for col in ledger.columns:
        if col.key in row.invalid or col.key not in letters:
            continue
        value = row.values.get(col.key)
        where = {"sheet": ledger.sheet, "row": row.excel_row, "column": col.header,
                 "column_letter": letters.get(col.key, "")}
        if value is None or (isinstance(value, str) and not value.strip()):
            if col.required:
                out.append(catalog.make("CELL-REQUIRED", **where))
        elif col.type == "enum" and str(value).strip() not in col.choices:
            out.append(catalog.make("CELL-ENUM", value=value, choices="、".join(col.choices), **where))
        elif col.type == "int" and isinstance(value, int) and not isinstance(value, bool) and (
                (col.min is not None and value < col.min) or (col.max is not None and value > col.max)):
            out.append(catalog.make("CELL-RANGE", value=value, range=f"{col.min:g}至{col.max:g}", **where))
    return out


def _add(out: CommitteeLedger, ledger_id: str, row: Row) -> None:
    if ledger_id == "meetings":
        out.meetings.append(CommitteeMeeting(
            date=date_of(row, "date"), kind=text_of(row, "kind"), topic=text_of(row, "topic"),  # type: ignore[arg-type]
            first_topic=text_of(row, "first_topic"), speaker=text_of(row, "speaker"), note=text_of(row, "note")))
        out.meetings.sort(key=lambda m: (m.date, COMMITTEE_MEETING_KINDS.index(m.kind)))
    elif ledger_id == "documents":
        out.documents.append(Document(date=date_of(row, "date"), doc_no=text_of(row, "doc_no"),  # type: ignore[arg-type]
                                      title=text_of(row, "title")))
        out.documents.sort(key=lambda d: d.date)
    elif ledger_id == "tasks":
        progress = int_of(row, "progress")
        if progress is not None and not 0 <= progress <= 100:
            progress = None
        out.tasks.append(KeyTask(name=text_of(row, "name"), measures=text_of(row, "measures"), progress=progress,
                                 note=text_of(row, "note"), year=int_of(row, "year") or 0))
    else:
        level = text_of(row, "level")
        out.honours.append(Honour(date=date_of(row, "date"), name=text_of(row, "name"), level=level,
                                  awarded_by=text_of(row, "awarded_by"), recipient=text_of(row, "recipient"),
                                  note=text_of(row, "note")))
        out.honours.sort(key=lambda h: h.date or date.min)
