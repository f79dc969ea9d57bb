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
