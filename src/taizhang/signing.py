"""Identity of an issued workbook: the fields, their canonical form and the HMAC signature.

The `_meta` sheet and the custom document properties carry the same fields; the signature is
HMAC-SHA256 with the workspace's secret key over the canonical form, so a branch cannot change
which branch, year or template a workbook claims without the collector noticing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

META_SHEET = "_meta"
PROPERTY_PREFIX = "taizhang."


@dataclass(frozen=True)
class Identity:
    """Who a workbook belongs to, as issued."""

    template_id: str
    template_version: str
    org: str
    branch_code: str
    branch_name: str
    year: int
    issued_at: str  # ISO timestamp

    def canonical(self) -> bytes:
        """The bytes that are signed: sorted JSON of every field, as text."""
        return canonical(asdict(self))

    def sign(self, key: bytes) -> str:
        """The hex HMAC-SHA256 signature of this identity."""
        return sign_fields(key, asdict(self))

    def verify(self, key: bytes, signature: str) -> bool:
        """Whether `signature` was made for exactly this identity with `key`."""
        return verify_fields(key, asdict(self), signature)

    def items(self) -> list[tuple[str, str]]:
        """(field, value) pairs in a stable order, as written to `_meta`."""
        return [(f.name, str(getattr(self, f.name))) for f in fields(self)]

    @classmethod
    def from_mapping(cls, data: dict[str, object]) -> Identity | None:
        """An Identity from `_meta` or property values, or None when a field is missing or bad."""
        try:
            values = {f.name: str(data[f.name]).strip() for f in fields(cls)}
            year_text = values["year"]
            year = int(float(year_text))
        except (KeyError, ValueError, TypeError):
            return None
        values_obj: dict[str, object] = dict(values)
        values_obj["year"] = year
        return cls(**values_obj)  # type: ignore[arg-type]


def canonical(data: Mapping[str, object]) -> bytes:
    """The signed form of a set of fields: sorted JSON, every value as text."""
    text = {k: str(v) for k, v in data.items()}
    return json.dumps(text, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_fields(key: bytes, data: Mapping[str, object]) -> str:
    """The hex HMAC-SHA256 of the canonical form of `data` with `key`."""
    return hmac.new(key, canonical(data), hashlib.sha256).hexdigest()


def verify_fields(key: bytes, data: Mapping[str, object], signature: str) -> bool:
    """Whether `signature` was made for exactly these fields with `key` (constant time)."""
    return hmac.compare_digest(sign_fields(key, data), (signature or "").strip().lower())


def key_fingerprint(key: bytes) -> str:
    """A short, shareable fingerprint of a key (never the key itself)."""
    digest = hashlib.sha256(b"taizhang-key-fingerprint:" + key).hexdigest()[:16]
    return ":".join(digest[i : i + 4] for i in range(0, 16, 4))
