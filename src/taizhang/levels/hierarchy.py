"""The tree of units under a workspace: its own 支部名单, and below every lower unit that rolls up
to it (党总支 / 党委 with a registered link), the units listed in that unit's current roll-up.

A unit is a 党支部 (a leaf: it keeps a ledger) or a node (党总支 / 党委). Figures are summed over
the 党支部 under a node; outputs list the branches in tree order (depth first, in list order),
each under its 党总支.

Precedence when the same code comes from two places: the workspace's own list wins (name, place
in the tree), then the roll-up that listed it (collect refuses a roll-up branch whose code
another lower unit already claims).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from taizhang.errors import InputError
from taizhang.problems import Problem
from taizhang.workspace.branches import (
    BRANCH,
    COMMITTEE,
    GENERAL_BRANCH,
    KINDS,
    Branch,
    find_cycles,
    is_node,
    not_listed,
    usable,
)

if TYPE_CHECKING:
    from taizhang.workspace import Workspace


@dataclass(frozen=True)
class Unit:
    """One unit of the tree."""

    code: str
    name: str
    parent: str  # the parent unit's code in this tree; "" = directly under this workspace
    kind: str  # 党支部 / 党总支 / 党委
    secretary: str = ""
    contact: str = ""
    phone: str = ""
    row: int = 0  # the row on this workspace's 支部名单 (0 for a unit from a roll-up)
    source: str = ""  # "" = this workspace's list; else the code of the lower unit whose roll-up listed it
    linked: bool = False  # a lower unit that rolls up to this workspace

    @property
    def is_branch(self) -> bool:
        """Whether this is a 党支部 (keeps a ledger) rather than a node."""
        return self.kind == BRANCH

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class Tree:
    """The units under a workspace, in tree order, and the problems of its 支部名单."""

    org_name: str
    org_code: str
    units: dict[str, Unit]
    problems: list[Problem] = field(default_factory=list)
    listed: list[Branch] = field(default_factory=list)  # the rows of the 支部名单 it was built from

    def get(self, code: str) -> Unit | None:
        """The unit with this code, or None."""
        return self.units.get(code)

    def unit(self, code: str) -> Unit:
        """The unit with this code; InputError naming the codes there are when it is unknown."""
        unit = self.units.get(code.strip())
        if unit is None:
            nodes = [u for u in self.units.values() if not u.is_branch]
            hint = ("党总支（党委）有：" + "、".join(f"{u.code} {u.name}" for u in nodes)) if nodes else \
                "本单位没有下设党总支"
            raise InputError(f"组织中没有编码为“{code}”的单位（{hint}）。可用 taizhang branches 查看组织结构。")
        return unit

    def branch(self, code: str) -> Unit:
        """The 党支部 with this code; InputError listing the branches there are when it is none."""
        unit = self.units.get(str(code).strip())
        if unit is not None and unit.is_branch:
            return unit
        listed = [(u.code, u.name) for u in self.branches()]
        if unit is not None:
            error = not_listed([code], listed)
            raise InputError(f"“{code}”是{unit.kind}，不是党支部。" + str(error).split("。", 1)[1])
        raise not_listed([code], listed)

    def children(self, code: str = "") -> list[Unit]:
        """The units directly under `code` ("" = directly under this workspace)."""
        return [u for u in self.units.values() if u.parent == code]

    def ancestors(self, code: str) -> list[Unit]:
        """The nodes above a unit, from the top down (not the unit itself)."""
        out: list[Unit] = []
        unit = self.units.get(code)
        while unit is not None and unit.parent:
            unit = self.units.get(unit.parent)
            if unit is None or unit in out:
                break
            out.insert(0, unit)
        return out

    def contains(self, under: str, code: str) -> bool:
        """Whether `code` is `under` itself or below it ("" contains everything)."""
        if not under or under == code:
            return code in self.units or not under
        return any(a.code == under for a in self.ancestors(code))

    def below(self, under: str = "") -> list[Unit]:
        """Every unit below `under` (not `under` itself), in tree order."""
        return [u for u in self.units.values() if u.code != under and self.contains(under, u.code)]

    def branches(self, under: str = "") -> list[Unit]:
        """The 党支部 under `under` in tree order (a 党支部 asked for is its own only branch)."""
        unit = self.units.get(under) if under else None
        if unit is not None and unit.is_branch:
            return [unit]
        return [u for u in self.below(under) if u.is_branch]

    def nodes(self, under: str = "") -> list[Unit]:
        """The 党总支/党委 below `under`, in tree order."""
        return [u for u in self.below(under) if not u.is_branch]

    def group_path(self, code: str, under: str = "") -> list[Unit]:
        """The nodes between `under` and the unit (both excluded), from the top down."""
        path = self.ancestors(code)
        if under:
            names = [u.code for u in path]
            path = path[names.index(under) + 1:] if under in names else path
        return path

    def to_dict(self) -> dict[str, Any]:
        """The tree as nested dicts: {"organisation": …, "units": [unit + "children": […]], …}."""
        def nest(code: str) -> list[dict[str, Any]]:
            return [{**u.to_dict(), "children": nest(u.code)} for u in self.children(code)]

        return {"branches": [b.to_dict() for b in self.listed],
                "organisation": {"name": self.org_name, "code": self.org_code}, "units": nest(""),
                "problems": [p.to_dict() for p in self.problems]}


def build(
    branches: Sequence[Branch],
    *,
    org_name: str = "",
    org_code: str = "",
    linked: frozenset[str] | set[str] = frozenset(),
    rollups: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    problems: Sequence[Problem] = (),
) -> Tree:
    """The tree from a 支部名单 (`branches`), the codes of the linked lower units, and for each of
    them the units of its current roll-up (dicts with code, name, parent, kind, secretary,
    contact, phone; parent "" = directly under that unit).

    A parent that is not on the list (or is `org_code`) makes a unit a root; a cycle is cut at its
    first unit. Kinds: as typed when 党总支/党委; a unit with units under it, or linked, is a node
    (党总支 unless typed 党委); anything else is a 党支部.
    """
    listed = usable(list(branches))
    codes = {b.code for b in listed}
    parents = {b.code: (b.parent if b.parent in codes and b.parent != b.code else "") for b in listed}
    for cycle in find_cycles(parents):
        parents[cycle[0]] = ""
    flat: dict[str, Unit] = {}
    placed = [Branch(**{**asdict(b), "parent": parents[b.code]}) for b in listed]
    for b in placed:
        node = is_node(b, placed, linked)
        kind = (b.kind if b.kind in (GENERAL_BRANCH, COMMITTEE) else GENERAL_BRANCH) if node else BRANCH
        flat[b.code] = Unit(b.code, b.name, b.parent, kind, b.secretary, b.contact, b.phone, b.row,
                            linked=b.code in linked)
    def below_owner(code: str, owner: str) -> bool:
        seen: set[str] = set()
        while code and code not in seen:
            if code == owner:
                return True
            seen.add(code)
            code = flat[code].parent if code in flat else ""
        return False

    for owner, units in (rollups or {}).items():
        top = flat.get(owner)
        if top is None or top.is_branch:
            continue
        theirs = {str(u.get("code", "")).strip() for u in units}
        for u in units:
            code = str(u.get("code", "")).strip()
            if not code or code in flat or code == owner:
                continue
            parent = str(u.get("parent", "") or "").strip()
            # Its parent as the roll-up says, where that unit is (or is listed here) under the
            # owner; otherwise directly under the owner.
            if not (parent in theirs and parent != code and (parent not in flat or below_owner(parent, owner))):
                parent = owner
            kind = str(u.get("kind", "") or BRANCH)
            flat[code] = Unit(
                code=code, name=str(u.get("name", "")), parent=parent,
                kind=kind if kind in KINDS else BRANCH, secretary=str(u.get("secretary", "") or ""),
                contact=str(u.get("contact", "") or ""), phone=str(u.get("phone", "") or ""), source=owner,
            )
    # A roll-up's own parents may point in a circle too (they come from another workspace).
    loose = {c: u.parent for c, u in flat.items()}
    for cycle in find_cycles(loose):
        u = flat[cycle[0]]
        flat[u.code] = Unit(**{**asdict(u), "parent": u.source})
    ordered: dict[str, Unit] = {}

    def visit(code: str) -> None:
        for u in [x for x in flat.values() if x.parent == code]:
            if u.code not in ordered:
                ordered[u.code] = u
                visit(u.code)

    visit("")
    for u in flat.values():  # anything unreachable (should not happen) still appears, at the end
        if u.code not in ordered:
            ordered[u.code] = Unit(**{**asdict(u), "parent": ""})
    return Tree(org_name=org_name, org_code=org_code, units=ordered, problems=list(problems))


def load(ws: Workspace, *, year: int | None = None) -> Tree:
    """The workspace's tree: its 支部名单 (with its problems), its registered links, and the units
    of each linked unit's current roll-up for `year` (default: the workspace's year)."""
    from taizhang.levels import links as links_mod
    from taizhang.workspace import branches as branches_mod
    from taizhang.workspace.store import Store

    items, problems = branches_mod.load(ws)
    settings = ws.settings
    linked = links_mod.linked_codes(ws)
    with Store.read(ws.store_path) as store:
        rollups = {code: r.units for code, r in store.current_rollups(year or settings.year).items()}
    tree = build(items, org_name=settings.org_name, org_code=settings.org_code, linked=linked,
                 rollups=rollups, problems=problems)
    tree.listed = list(items)
    return tree
