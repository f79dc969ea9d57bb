"""What the report builders read, gathered once per report run, and the chart value they return."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from taizhang.problems import Problem
from taizhang.records import BranchReturn
from taizhang.reports import charts
from taizhang.statistics.model import Stats


@dataclass
class Chart:
    """A picture for a report: PNG bytes and the width it is shown at."""

    png: bytes
    title: str
    width_mm: float = charts.WIDTH_MM

    def __bool__(self) -> bool:
        return bool(self.png)


@dataclass
class ReportInputs:
    """Everything the context builders read, gathered once per report run."""

    org: str
    stats: Stats
    returns: Mapping[str, dict[int, BranchReturn]]  # code -> year -> current return (loaded when asked)
    problems: dict[str, list[Problem]]  # code -> current problems of the period's last year
    branches: dict[str, Any]  # code -> branches.Branch (secretary, full name …)
    as_of: date
    report_date: date
    deadline: date | None = None
    settings: Any = None  # the workspace's Settings (the frequency requirements, the committee threshold)
    round_year: int | None = None  # the workspace's collection round
    contact: str = ""
    phone: str = ""
    unit_name: str = ""  # the unit of the tree the report is for ("" = the whole workspace)
    committee: Any = None  # the committee's own ledger (committee.CommitteeLedger) of the period's last year
