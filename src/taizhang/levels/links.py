"""Links between levels: the key a lower unit (党总支, 党委) signs its roll-ups with.

The upper office creates one link key per lower unit (`add`), which writes a small key file to
hand over once, in person or on a USB stick; the lower office imports it (`import_link`). Both
sides see the same short fingerprint and read it to each other by phone. Roll-ups are signed
with HMAC-SHA256 under that key, so the upper level refuses a roll-up that was forged, altered,
or signed with a key it does not hold. Each link has its own key: a leaked key concerns one unit
only, and `add(..., renew=True)` replaces it (the old key's fingerprint is kept, so a roll-up
signed with it is refused with a message saying exactly that).

Upper side: `.taizhang/links.json` (every registered lower unit). Lower side:
`.taizhang/uplink.json` (the link imported from the upper level). Both hold secrets: they are
written with owner-only permissions and never printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taizhang import clock
from taizhang.errors import ConfigError, InputError
from taizhang.safeio import atomic_write_text, safe_filename
from taizhang.signing import key_fingerprint
from taizhang.workspace import Workspace, writes

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib  # type: ignore[no-redef]

FORMAT = "taizhang-link/1"
LINKS_FILE = "links.json"
UPLINK_FILE = "uplink.json"
KEY_FILE_SUFFIX = "_汇总报送密钥.txt"
_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Link:
    """One link: which lower unit signs roll-ups for which upper unit, with which key."""

    unit_code: str
    unit_name: str
    upper_code: str
    upper_name: str
    key: bytes = field(repr=False)
    created_at: str

    @property
    def fingerprint(self) -> str:
        """The key's short fingerprint, safe to read out by phone."""
        return key_fingerprint(self.key)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without the key."""
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "upper_code": self.upper_code,
                "upper_name": self.upper_name, "fingerprint": self.fingerprint, "created_at": self.created_at}

    def _stored(self) -> dict[str, Any]:
        return {**self.to_dict(), "key": self.key.hex()}

    @classmethod
    def _from_stored(cls, data: dict[str, Any]) -> Link:
        return cls(unit_code=str(data["unit_code"]), unit_name=str(data.get("unit_name", "")),
                   upper_code=str(data.get("upper_code", "")), upper_name=str(data.get("upper_name", "")),
                   key=bytes.fromhex(str(data["key"])), created_at=str(data.get("created_at", "")))


@dataclass(frozen=True)
class LinkKey:
    """What collect needs to verify a lower unit's roll-up (picklable, for worker processes)."""

    unit_code: str
    unit_name: str
    key: bytes = field(repr=False)
    fingerprint: str
    retired: tuple[str, ...] = ()  # fingerprints of keys replaced by a renewal


@dataclass
class Registered:
    """The upper office's record of one lower unit."""

    link: Link
    retired: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without the key."""
        return {**self.link.to_dict(), "retired": list(self.retired)}


@dataclass
class Added:
    """What `add` did: the link, where its key file is, and whether it replaced an older key."""

    link: Link
    path: Path
    replaced: str = ""  # the fingerprint of the key it replaced

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without the key."""
        return {**self.link.to_dict(), "key_file": str(self.path), "replaced": self.replaced}


@dataclass
class Imported:
    """What `import_link` did."""

    link: Link
    replaced: str = ""  # the fingerprint of the link it replaced
    code_set: bool = False  # the workspace had no code of its own: the link's was written to taizhang.toml

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without the key."""
        return {**self.link.to_dict(), "replaced": self.replaced, "code_set": self.code_set}


@dataclass
class Overview:
    """Both directions at once: the links made for lower units, and the one imported from above."""

    lower: list[Registered]
    upper: Link | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without keys."""
        return {"lower": [r.to_dict() for r in self.lower], "upper": self.upper.to_dict() if self.upper else None}


def overview(ws: Workspace) -> Overview:
    """The links this workspace made for its lower units and the link it imported, if any."""
    return Overview(list(registered(ws).values()), uplink(ws))


def _now() -> str:
    return clock.stamp()


def _write_secret(path: Path, text: str) -> None:
    """Write `text` to `path` atomically with owner-only permissions from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~tz-", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raise ConfigError(f"{what} {path} 已损坏，请从备份中恢复。") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{what} {path} 已损坏，请从备份中恢复。")
    return data


# --- upper side --------------------------------------------------------------------------------
def _links_path(ws: Workspace) -> Path:
    return Path(ws.state) / LINKS_FILE


def registered(ws: Workspace) -> dict[str, Registered]:
    """Every lower unit registered in this workspace, by unit code."""
    data = _read_json(_links_path(ws), "上报链接文件")
    out: dict[str, Registered] = {}
    try:
        for code, item in (data.get("links") or {}).items():
            out[code] = Registered(Link._from_stored(item), list(item.get("retired", [])))
    except (KeyError, ValueError, TypeError, AttributeError):
        raise ConfigError(f"上报链接文件 {_links_path(ws)} 已损坏，请从备份中恢复。") from None
    return out


def _save(ws: Workspace, items: dict[str, Registered]) -> None:
    data = {"format": FORMAT, "links": {code: {**r.link._stored(), "retired": r.retired}
                                        for code, r in items.items()}}
    _write_secret(_links_path(ws), json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def linked_codes(ws: Workspace) -> frozenset[str]:
    """The codes of the lower units that roll up to this workspace."""
    return frozenset(registered(ws))


def verification_keys(ws: Workspace) -> dict[str, LinkKey]:
    """The keys collect verifies roll-ups with, by unit code."""
    return {code: LinkKey(code, r.link.unit_name, r.link.key, r.link.fingerprint, tuple(r.retired))
            for code, r in registered(ws).items()}


@writes("taizhang link add")
def add(ws: Workspace, code: str, *, renew: bool = False, out: Path | None = None) -> Added:
    """Create the link key for lower unit `code` (a 党总支/党委 on the branch list) and write the
    key file to hand over: to `out` (a folder or a file name), default `output/`.

    Refuses a unit already linked unless `renew`, which replaces its key (roll-ups signed with the
    old key are then refused). Raises InputError for a code that is not on the list.
    """
    from taizhang.workspace import branches as branches_mod

    code = code.strip()
    items, _problems = branches_mod.load(ws)
    unit = next((b for b in branches_mod.usable(items) if b.code == code), None)
    if unit is None:
        raise InputError(
            f"支部名单中没有编码为“{code}”的单位。请先在支部名单中加一行：填写它的编码和名称，"
            "“组织类别”选“党总支”（或“党委”），再运行 taizhang link add。")
    if not branches_mod.is_node(unit, items):  # typed 党支部, or left empty without units under it
        raise InputError(
            f"“{unit.name}”（{code}）在支部名单中的组织类别是党支部。只有自己使用 taizhang 汇总下级支部的"
            "党总支或党委才需要上报链接；如确是这种单位，请在支部名单中把它的“组织类别”改为党总支或党委。")
    links = registered(ws)
    old = links.get(code)
    if old is not None and not renew:
        raise InputError(
            f"已为“{unit.name}”（{code}）建立过上报链接（密钥指纹 {old.link.fingerprint}，"
            f"建立于 {old.link.created_at[:10]}），未作改动。如对方密钥丢失或泄露，请加 --renew 重新生成。")
    settings = ws.settings
    link = Link(unit_code=code, unit_name=unit.name, upper_code=settings.org_code,
                upper_name=settings.org_name, key=secrets.token_bytes(32), created_at=_now())
    retired = list(old.retired) if old else []
    if old is not None:
        retired.append(old.link.fingerprint)
    path = key_file_path(ws, link, out)
    _write_secret(path, key_file_text(link))
    links[code] = Registered(link, retired)
    _save(ws, links)
    return Added(link, path, old.link.fingerprint if old else "")


def key_file_path(ws: Workspace, link: Link, out: Path | None = None) -> Path:
    """Where `add` writes the key file: `out` (a folder, or a file name), default output/."""
    name = f"{safe_filename(link.unit_code)}_{safe_filename(link.unit_name)}{KEY_FILE_SUFFIX}"
    if out is None:
        return Path(ws.folder("output")) / name
    out = Path(out).expanduser()
    return out / name if out.is_dir() or not out.suffix else out


@writes("taizhang link remove")
def remove(ws: Workspace, code: str) -> Registered:
    """Forget lower unit `code`'s link: its roll-ups are refused from now on (those already
    collected stay). Returns the record removed; InputError when there is none."""
    links = registered(ws)
    item = links.pop(code.strip(), None)
    if item is None:
        raise InputError(f"没有为编码“{code}”建立过上报链接。用 taizhang link list 查看已建立的链接。")
    _save(ws, links)
    return item


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def key_file_text(link: Link) -> str:
    """The key file: what it is and what to do with it, in Chinese, then the link as TOML."""
    upper = f"{link.upper_name}（{link.upper_code}）" if link.upper_code else link.upper_name
    return "\n".join([
        "# taizhang 汇总报送密钥",
        "#",
        f"# 这是“{upper}”为下级单位“{link.unit_name}”（编码 {link.unit_code}）生成的汇总报送密钥。",
        "# 请当面或用U盘交给对方，不要通过邮件、微信或群聊转发；对方导入后，请删除这个文件。",
        "# 对方在自己的工作区运行：taizhang link import 本文件",
        f"# 导入时显示的密钥指纹应为 {link.fingerprint}，请双方电话核对。",
        "# 此后对方用 taizhang rollup 生成的汇总带有用这个密钥做的签名，上级据此确认汇总来自对方且未被改动。",
        f"# 密钥丢失或泄露时，上级运行 taizhang link add {link.unit_code} --renew 重新生成，旧密钥随即作废。",
        "",
        "[link]",
        f"format = {_toml(FORMAT)}",
        f"unit_code = {_toml(link.unit_code)}",
        f"unit_name = {_toml(link.unit_name)}",
        f"upper_code = {_toml(link.upper_code)}",
        f"upper_name = {_toml(link.upper_name)}",
        f"created_at = {_toml(link.created_at)}",
        f"key = {_toml(link.key.hex())}",
        f"fingerprint = {_toml(link.fingerprint)}",
        "",
    ])


def read_key_file(path: Path) -> Link:
    """The link in a key file written by `add`. InputError when the file is not one, or damaged."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"找不到密钥文件 {path}。") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise InputError(f"{path.name} 不是 taizhang 的汇总报送密钥文件，或已损坏。请上级重新生成。") from None
    item = data.get("link") if isinstance(data, dict) else None
    if not isinstance(item, dict) or item.get("format") != FORMAT:
        raise InputError(f"{path.name} 不是 taizhang 的汇总报送密钥文件。请使用上级用 taizhang link add 生成的文件。")
    key = str(item.get("key", "")).strip().lower()
    if not _HEX_KEY.match(key) or not str(item.get("unit_code", "")).strip():
        raise InputError(f"密钥文件 {path.name} 不完整或被改动过，请上级重新生成。")
    link = Link(unit_code=str(item["unit_code"]).strip(), unit_name=str(item.get("unit_name", "")),
                upper_code=str(item.get("upper_code", "")), upper_name=str(item.get("upper_name", "")),
                key=bytes.fromhex(key), created_at=str(item.get("created_at", "")))
    if str(item.get("fingerprint", "")).strip() != link.fingerprint:
        raise InputError(f"密钥文件 {path.name} 中的密钥与指纹不符，文件可能被改动过，请上级重新生成。")
    return link


# --- lower side --------------------------------------------------------------------------------
def _uplink_path(ws: Workspace) -> Path:
    return Path(ws.state) / UPLINK_FILE


@writes("taizhang link import")
def import_link(ws: Workspace, path: Path) -> Imported:
    """Import the key file the upper office handed over; roll-ups are signed with it from now on.

    Refuses a key made for another unit (the workspace's own code, when set, must match).
    """
    link = read_key_file(path)
    own = ws.settings.org_code.strip()
    if own and own != link.unit_code:
        raise InputError(
            f"这个密钥是上级为编码“{link.unit_code}”（{link.unit_name}）生成的，而本工作区的单位编码是“{own}”"
            f"（taizhang.toml 中的 organisation.code）。请核对是否拿错了文件，或请上级按本单位的编码重新生成。")
    old = uplink(ws)
    _write_secret(_uplink_path(ws), json.dumps({"format": FORMAT, "link": link._stored()},
                                               ensure_ascii=False, indent=2) + "\n")
    code_set = not own and _set_org_code(Path(ws.config_path), link.unit_code)
    return Imported(link, old.fingerprint if old and old.key != link.key else "", code_set)


def _set_org_code(path: Path, code: str) -> bool:
    """Write `code` as organisation.code into taizhang.toml where it is still the empty default."""
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r'(?m)^(code\s*=\s*)""', lambda m: m.group(1) + json.dumps(code, ensure_ascii=False), text, count=1)
    if n:
        atomic_write_text(path, new)
    return bool(n)


def uplink(ws: Workspace) -> Link | None:
    """The link imported from the upper level, or None."""
    data = _read_json(_uplink_path(ws), "上报密钥文件")
    if not data:
        return None
    try:
        return Link._from_stored(data["link"])
    except (KeyError, ValueError, TypeError):
        raise ConfigError(f"上报密钥文件 {_uplink_path(ws)} 已损坏。请向上级要一份新的密钥文件重新导入。") from None


def require_uplink(ws: Workspace) -> Link:
    """The imported link; InputError saying what to do when there is none."""
    link = uplink(ws)
    if link is None:
        raise InputError(
            "本工作区还没有导入上级发来的汇总报送密钥，无法生成上级能接收的汇总。"
            "请上级运行 taizhang link add 本单位编码，把生成的密钥文件交给你，再运行 taizhang link import 密钥文件。")
    return link
