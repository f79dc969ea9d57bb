"""Which branch a member list's 所在支部 means: by code when the list has a code column that
agrees with the branch list, otherwise by name against 支部名单's 支部名称 and 全称.

Names are compared in tiers; the first tier with any match decides (one match: placed, several:
ambiguous): the name as written (folded), the name without 中共/中国共产党, 委员会, 党, spaces and
full-width forms, and that without the organisation's own name in front.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from taizhang.workspace.branches import Branch

CODE_AGREEMENT = 0.9  # a code column is used when it agrees with the names this often
_DROP = ("中国共产党", "中共", "委员会", "党")


def folded(text: str) -> str:
    """NFKC, no whitespace, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def core(text: str) -> str:
    """A name without 中共/中国共产党, 委员会, 党 (总支部 → 总支): 中共某局机关第一支部委员会 and
    机关第一党支部 differ only in the organisation's name."""
    s = folded(text)
    for word in _DROP:
        s = s.replace(word, "")
    return s.replace("总支部", "总支")


def org_prefixes(org: str) -> list[str]:
    """The organisation's name as it may stand in front of a branch's name: 中共某局机关委员会 →
    某局机关, 某局 (longest first)."""
    base = core(org)
    out = [base]
    for tail in ("机关", "直属机关"):
        if base.endswith(tail) and len(base) > len(tail):
            out.append(base[: -len(tail)])
    return sorted({p for p in out if p}, key=len, reverse=True)


@dataclass
class Match:
    """A 所在支部 value's branch: `branch` when one, `candidates` when several, neither when none."""

    branch: Branch | None
    candidates: list[Branch]
    how: str  # 编码 / 名称 / 全称 / ""


class Matcher:
    """Matches 所在支部 names (and codes) to the branches."""

    def __init__(self, branches: list[Branch], org: str) -> None:
        self.branches = branches
        self.prefixes = org_prefixes(org)
        self.by_code = {folded(b.code): b for b in branches}

    def _keys(self, text: str) -> list[set[str]]:
        """The tiers' keys of a name: folded; core; core with or without the organisation's name
        (or part of it) in front."""
        c = core(text)
        short = {c} | {c[len(p):] for p in self.prefixes if c.startswith(p) and len(c) > len(p)}
        return [{folded(text)}, {c}, short]

    def code(self, value: str) -> Branch | None:
        """The branch with this code."""
        return self.by_code.get(folded(value)) if value else None

    def name(self, value: str) -> Match:
        """The branch a name means."""
        if not folded(value):
            return Match(None, [], "")
        wanted = self._keys(value)
        for tier in range(3):
            found: dict[str, tuple[Branch, str]] = {}
            for b in self.branches:
                for text, how in ((b.name, "名称"), (b.full_name, "全称"), (b.code, "编码")):
                    if text and self._keys(text)[tier] & wanted[tier] - {""}:
                        found.setdefault(b.code, (b, how))
            if len(found) == 1:
                branch, how = next(iter(found.values()))
                return Match(branch, [], how)
            if len(found) > 1:
                return Match(None, [b for b, _ in found.values()], "")
        return Match(None, [], "")
