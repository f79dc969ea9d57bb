"""The synonym table: which headers mean which column, and which values mean which option.

The table is data: `columns.toml` beside this module (shipped with the package), extended by the
workspace's `党员信息表列名.toml` (same layout; a workspace entry wins over a shipped one).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from taizhang.errors import InputError

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

WORKSPACE_FILE = "党员信息表列名.toml"
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_MARKS = re.compile(r"[\s*:：]+")


def fold(value: Any) -> str:
    """A header or value as compared: NFKC (full-width made half-width), no whitespace, no "*" or
    colon, no bracketed explanation ("党籍状态（正式党员或预备党员）" → "党籍状态"), upper case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    stripped = _BRACKETS.sub("", text)
    return _MARKS.sub("", stripped if stripped.strip() else text).upper()


@dataclass
class SynonymTable:
    """Headers → the uses they may have; per use, other systems' values → the roster's options."""

    headers: dict[str, list[str]] = field(default_factory=dict)  # folded header → uses, in order
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # use → folded value → option
    ambiguous: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # use → folded value → options
    retired_yes: set[str] = field(default_factory=set)
    retired_no: set[str] = field(default_factory=set)
    work_post: list[tuple[str, str]] = field(default_factory=list)  # (word contained, 人员类别)
    sources: list[str] = field(default_factory=list)  # the files read, for the preview

    def uses(self, header: Any) -> list[str]:
        """The uses a header may have ([] when unknown)."""
        return list(self.headers.get(fold(header), []))

    def merge(self, data: dict[str, Any], source: str) -> None:
        """Add one file's content (a later file wins for the same value)."""
        for use, names in (data.get("columns") or {}).items():
            for name in _strings(names, f"{source} 的 [columns] {use}"):
                uses = self.headers.setdefault(fold(name), [])
                if use not in uses:
                    uses.append(use)
        for use, mapping in (data.get("values") or {}).items():
            table = self.values.setdefault(use, {})
            for written, option in _table(mapping, f"{source} 的 [values.{use}]").items():
                table[fold(written)] = str(option)
        for use, mapping in (data.get("ambiguous") or {}).items():
            amb = self.ambiguous.setdefault(use, {})
            for written, options in _table(mapping, f"{source} 的 [ambiguous.{use}]").items():
                amb[fold(written)] = _strings(options, f"{source} 的 [ambiguous.{use}]")
        retired = data.get("retired") or {}
        self.retired_yes |= {fold(v) for v in _strings(retired.get("yes", []), f"{source} 的 [retired]")}
        self.retired_no |= {fold(v) for v in _strings(retired.get("no", []), f"{source} 的 [retired]")}
        posts = _table(data.get("work_post") or {}, f"{source} 的 [work_post]")
        known = {word for word, _ in self.work_post}
        new = [(fold(word), str(cat)) for word, cat in posts.items() if fold(word) not in known]
        self.work_post = new + [(w, c) for w, c in self.work_post if w not in {n for n, _ in new}]
        self.sources.append(source)


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where} 应当是文字列表，如 [\"姓名\", \"党员姓名\"]。")
    return value


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where} 的写法不对，应为 \"其他写法\" = \"名册中的选项\"。")
    return value


def shipped() -> dict[str, Any]:
    """The shipped table's content."""
    text = resources.files(__package__).joinpath("columns.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load(workspace_root: Path | None = None) -> SynonymTable:
    """The shipped table, extended by the workspace's 党员信息表列名.toml when there is one."""
    table = SynonymTable()
    table.merge(shipped(), "程序自带的列名表")
    if workspace_root is not None:
        path = Path(workspace_root) / WORKSPACE_FILE
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise InputError(f"{WORKSPACE_FILE} 的写法有误（{exc}），请按 README 中的示例修改。") from None
            table.merge(data, WORKSPACE_FILE)
    return table
