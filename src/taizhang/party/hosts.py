"""Names as the ledgers hold them: a cell that may name several people, and who hosted or taught.

A 党课 taught jointly ("王建国、李红") was given by each of them, so the secretary gave it when he
is among them. Names are compared after folding full-width forms and removing every space, so
"王 红" (spaced for alignment) and "王红" are one person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
_NAME_SEPARATORS = re.compile(r"[、,，;；/／]+")


def name_key(text: str) -> str:
    """A name as compared across sheets: full-width folded, every whitespace removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def split_names(text: str) -> list[str]:
    """The names in a cell that may hold several, separated by 、 , ， ; ； / or spaces.

    Spaces separate names only when every piece is at least two characters long, so that a name
    spaced out for alignment ("王 红", "欧阳 修") stays one name.
    """
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(unicodedata.normalize("NFKC", text or "")):
        words = part.split()
        if len(words) > 1 and all(len(w) >= 2 for w in words):
            names += words
        elif words:
            names.append("".join(words))
    return names


def name_keys(text: str) -> set[str]:
    """The compared forms of every name in a cell."""
    return {name_key(n) for n in split_names(text)}


def hosted_by(text: str, keys: Iterable[str]) -> bool:
    """Whether any of the people with name keys `keys` is among the names in `text` (a
    主持人或授课人 cell): a meeting hosted or a 党课 taught jointly counts for each of them."""
    wanted = set(keys)
    return bool(wanted) and not wanted.isdisjoint(name_keys(text))
