"""The one value that describes a problem found in a return, from any stage.

Like frictionless' errors, a problem is data: the reader, identifier, normaliser and every
check yield `Problem`s; the store keeps them; the feedback workbook, `problems --json` and the
通报 report render them. Nothing raises for a problem in the data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How serious a problem is; the value is the word users see."""

    ERROR = "错误"
    WARNING = "警告"
    INFO = "提示"

    @property
    def rank(self) -> int:
        """0 for 错误, 1 for 警告, 2 for 提示: sorts the most serious first."""
        return {"错误": 0, "警告": 1, "提示": 2}[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Accept the Chinese word or the English name (error/warning/info)."""
        text = str(text).strip()
        for member in cls:
            if text in (member.value, member.name, member.name.lower()):
                return member
        if text.lower() == "warn":
            return cls.WARNING
        raise ValueError(text)


@dataclass(frozen=True)
class Problem:
    """One problem: which rule, how serious, where (sheet, Excel row, column) and what to do."""

    rule_id: str
    severity: Severity
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    column_letter: str = ""
    value: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def cell(self) -> str:
        """The cell reference as Excel shows it (e.g. "D12"), or "" when there is none."""
        if self.column_letter and self.row:
            return f"{self.column_letter}{self.row}"
        return ""

    @property
    def location(self) -> str:
        """A short Chinese description of where the problem is."""
        parts = []
        if self.sheet:
            parts.append(f"“{self.sheet}”表")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            col = f"“{self.column}”列"
            if self.column_letter:
                col += f"（{self.column_letter}列）"
            parts.append(col)
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (severity as its Chinese word)."""
        data = asdict(self)
        data["severity"] = self.severity.value
        data["cell"] = self.cell
        data.pop("extra", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        """The inverse of to_dict (unknown keys are ignored)."""
        return cls(
            rule_id=data["rule_id"],
            severity=Severity.parse(data["severity"]),
            message=data["message"],
            sheet=data.get("sheet") or "",
            row=data.get("row"),
            column=data.get("column") or "",
            column_letter=data.get("column_letter") or "",
            value=data.get("value") or "",
        )


def sort_key(problem: Problem) -> tuple[Any, ...]:
    """Order problems by sheet, row, column, then severity."""
    return (
        problem.sheet,
        problem.row or 0,
        problem.column_letter.rjust(3),
        problem.severity.rank,
        problem.rule_id,
    )


def count_by_severity(problems: list[Problem]) -> dict[str, int]:
    """{"错误": n, "警告": n, "提示": n} for a list of problems."""
    counts = {s.value: 0 for s in Severity}
    for p in problems:
        counts[p.severity.value] += 1
    return counts


class ProblemBudget:
    """One cap on all the problems of a file, passed down to every stage that finds them
    (identification, reading, every check), so that generation stops early: a file with 80,000
    bad cells makes a few hundred problems, not 80,000 that are thrown away afterwards.

    A problem is kept while fewer than `limit` problems as serious or more serious are kept
    (errors are never crowded out by hints found earlier); the ones not kept are only counted.
    `cap` then keeps the `limit` most serious and says once that the rest were left out.
    A negative `limit` means no cap.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.kept = [0, 0, 0]  # by severity rank
        self.dropped = [0, 0, 0]

    def room(self, severity: Severity) -> bool:
        """Whether a problem of this severity would be kept (nothing is counted)."""
        return self.limit < 0 or sum(self.kept[: severity.rank + 1]) < self.limit

    def take(self, severity: Severity) -> bool:
        """Count a problem of this severity: True when it is to be kept."""
        rank = severity.rank
        if self.room(severity):
            self.kept[rank] += 1
            return True
        self.dropped[rank] += 1
        return False

    def keep(self, problems: list[Problem], found: Any) -> None:
        """Append the problems of `found` (an iterable) that the budget keeps."""
        for p in found:
            if self.take(p.severity):
                problems.append(p)

    @property
    def errors_dropped(self) -> int:
        return self.dropped[0]

    def cap(self, problems: list[Problem]) -> list[Problem]:
        """The `limit` most serious of `problems`, in sheet/row order, with one PROBLEM-CAP when
        any were left out (here or while they were found); the list as it is otherwise."""
        left_out = sum(self.dropped)
        if self.limit < 0 or (not left_out and len(problems) <= self.limit):
            return problems
        from taizhang import catalog  # catalog imports this module

        ranked = sorted(problems, key=lambda p: (p.severity.rank, sort_key(p)))
        kept = sorted(ranked[: self.limit], key=sort_key)
        total = len(problems) + left_out
        kept.append(catalog.make("PROBLEM-CAP", limit=self.limit, total=total))
        return kept
