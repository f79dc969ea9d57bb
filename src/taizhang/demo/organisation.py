"""The demo's fictional organisation: the 机关党委, its directly led branches and the two 党总支
that run workspaces of their own."""


from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from taizhang.demo.people import NameSource
from taizhang.workspace.branches import Branch

# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------

ORG_NAME = "中共青禾市交通运输局机关委员会"
ORG_CODE = "QHJT"
CITY = "青禾市"


@dataclass(frozen=True)
class BranchRow:
    """One row of 支部名单.xlsx (the attribute names are the `branches.COLUMNS` keys)."""

    code: str
    name: str
    parent: str
    secretary: str
    contact: str
    phone: str
    full_name: str = ""

    def as_row(self) -> dict[str, str]:
        """The row as {column key: text}, as `branches.write_template` takes it."""
        return asdict(self)

    def to_branch(self) -> Branch:
        """The same branch as a `branches.Branch`."""
        return Branch(**asdict(self))


@dataclass(frozen=True)
class _Blueprint:
    code: str
    name: str
    profile: str  # regular / small / big / retired / student
    size: tuple[int, int]  # roster rows, inclusive range
    lazy: bool = False


_BLUEPRINTS: tuple[_Blueprint, ...] = (
    _Blueprint("001", "机关第一党支部", "regular", (13, 16)),
    _Blueprint("002", "机关第二党支部", "regular", (11, 14)),
    _Blueprint("003", "办公室党支部", "regular", (10, 12)),
    _Blueprint("004", "财务审计处党支部", "small", (8, 8)),
    _Blueprint("005", "综合规划处党支部", "regular", (10, 12), lazy=True),
    _Blueprint("006", "信息中心党支部", "regular", (12, 15)),
    _Blueprint("007", "公路事业发展中心党支部", "big", (58, 60)),
    _Blueprint("008", "运输服务中心党支部", "regular", (16, 20)),
    _Blueprint("009", "综合行政执法支队党支部", "regular", (20, 26)),
    _Blueprint("010", "质量安全监督站党支部", "regular", (10, 12)),
    _Blueprint("011", "离退休干部党支部", "retired", (24, 30)),
    _Blueprint("012", "交通职业技术学院汽车工程系学生党支部", "student", (12, 15)),
)


# --------------------------------------------------------------------------------------------
# Branches
# --------------------------------------------------------------------------------------------


# The registered full names (全称) some branches have on 支部名单; the others are left empty, so
# that the default (built from the name) is shown too.
FULL_NAMES = {
    "001": "中共青禾市交通运输局机关第一支部委员会",
    "002": "中共青禾市交通运输局机关第二支部委员会",
    "007": "中共青禾市公路事业发展中心支部委员会",
    "009": "中共青禾市交通运输综合行政执法支队支部委员会",
    "011": "中共青禾市交通运输局离退休干部支部委员会",
}


def demo_organisation() -> dict[str, str]:
    """The fictional committee: name, code, contact person and phone (keys as in taizhang.toml)."""
    return {
        "name": ORG_NAME,
        "code": ORG_CODE,
        "contact": "林晓燕",
        "phone": "0123-66880001",
    }


def demo_branches(rng: random.Random) -> list[BranchRow]:
    """The 12 branches of the demo committee, with secretaries, contacts and phone numbers."""
    rows = []
    names = NameSource(rng, ["林晓燕"])
    for i, bp in enumerate(_BLUEPRINTS):
        if bp.profile == "retired":
            sec_year = rng.randint(1952, 1960)
            contact_year = rng.randint(1955, 1962)
        else:
            sec_year = rng.randint(1970, 1987)
            contact_year = rng.randint(1985, 1996)
        secretary = names.make("男" if rng.random() < 0.6 else "女", sec_year)
        contact = names.make("女" if rng.random() < 0.6 else "男", contact_year)
        rows.append(BranchRow(
            code=bp.code,
            name=bp.name,
            parent=ORG_CODE,
            secretary=secretary,
            contact=contact,
            phone=f"0123-6688{1010 + 11 * i:04d}",
            full_name=FULL_NAMES.get(bp.code, ""),
        ))
    return rows


@dataclass(frozen=True)
class SubUnit:
    """A 党总支 of the demo committee that keeps its own workspace and rolls up to the committee."""

    row: BranchRow  # its row on the committee's 支部名单 (组织类别 党总支)
    org_name: str  # the organisation name of its own workspace
    branches: list[BranchRow]  # the 党支部 on its own 支部名单 (parent: its code)


_SUB_UNITS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Z1", "港航事务中心党总支", "中共青禾市港航事务中心总支部委员会",
     ("港航事务中心机关党支部", "航道管理所党支部", "港口管理所党支部")),
    ("Z2", "交通工程质量检测中心党总支", "中共青禾市交通工程质量检测中心总支部委员会",
     ("检测一室党支部", "检测二室党支部", "检测中心离退休党支部")),
)


def demo_sub_units(rng: random.Random) -> list[SubUnit]:
    """The two 党总支 of the demo committee, each with three 党支部 of its own (codes Z1-01 …)."""
    names = NameSource(rng, ["林晓燕"])
    out = []
    for i, (code, name, org_name, branch_names) in enumerate(_SUB_UNITS):
        def person(gender_female: float, lo: int, hi: int) -> str:
            return names.make("女" if rng.random() < gender_female else "男", rng.randint(lo, hi))

        row = BranchRow(code=code, name=name, parent=ORG_CODE, secretary=person(0.4, 1968, 1980),
                        contact=person(0.6, 1985, 1995), phone=f"0123-6689{1010 + 101 * i:04d}")
        branches = []
        for j, branch_name in enumerate(branch_names, start=1):
            retired = "离退休" in branch_name
            branches.append(BranchRow(
                code=f"{code}-{j:02d}", name=branch_name, parent=code,
                secretary=person(0.4, 1952 if retired else 1970, 1960 if retired else 1987),
                contact=person(0.6, 1955 if retired else 1985, 1962 if retired else 1996),
                phone=f"0123-6689{1010 + 101 * i + 11 * j:04d}",
            ))
        out.append(SubUnit(row, org_name, branches))
    return out


def branch_profile(branch: Any) -> tuple[str, tuple[int, int], bool]:
    """(profile, roster size range, lazy) of a demo branch, by its name (or code).

    Branches that are not in the demo get a profile from their name: 离退休 → retired,
    学生 → student, anything else → a regular in-service branch.
    """
    for bp in _BLUEPRINTS:
        if bp.name == branch.name:
            return bp.profile, bp.size, bp.lazy
    if "离退休" in branch.name:
        return "retired", (20, 28), False
    if "学生" in branch.name:
        return "student", (12, 15), False
    return "regular", (10, 16), False


@dataclass
class BranchFill:
    """What one branch types into its workbook.

    `ledgers` maps a table ledger's id to its rows ({column key: typed value}); `summary` holds
    the 年度小结 fields. Values are `date`, `int`, `Decimal` or `str`; a `str` in a date or money
    column is deliberate (text typed by hand, such as "2025.3.5" or "6,842.50").
    """

    ledgers: dict[str, list[dict[str, Any]]]
    summary: dict[str, Any]
    code: str = ""
    year: int = 0
    as_of: date | None = None
    profile: str = "regular"
    lazy: bool = False
