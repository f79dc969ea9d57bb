"""Custom document properties: docProps/custom.xml (xlsx/xlsm), user-defined fields of meta.xml (ods)."""


from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import ElementTree as DET

from taizhang.reading.base import SMALL_PART, ZIP_KINDS, local_name, read_small
from taizhang.reading.sniff import sniff_stream

# --------------------------------------------------------------------------------------------
# document properties
# --------------------------------------------------------------------------------------------

def read_properties(path: str | Path) -> dict[str, str]:
    """The custom document properties, name → text: docProps/custom.xml in xlsx/xlsm, the
    user-defined fields of meta.xml in ods; {} for xls, when absent, or when unreadable."""
    try:
        with open(path, "rb") as fh:
            kind = sniff_stream(fh)
            if kind not in ZIP_KINDS:
                return {}
            fh.seek(0)
            zf = zipfile.ZipFile(fh)
            if kind == "ods":
                return _ods_properties(zf)
            return _ooxml_properties(zf)
    except Exception:
        return {}


def _ooxml_properties(zf: zipfile.ZipFile) -> dict[str, str]:
    name = "docProps/custom.xml"
    if name not in zf.namelist():
        return {}
    root = DET.fromstring(read_small(zf, name, SMALL_PART))
    out: dict[str, str] = {}
    for prop in root:
        if local_name(prop.tag) != "property" or not prop.get("name"):
            continue
        value = next(iter(prop), None)
        out[prop.get("name")] = (value.text or "") if value is not None else ""
    return out


def _ods_properties(zf: zipfile.ZipFile) -> dict[str, str]:
    if "meta.xml" not in zf.namelist():
        return {}
    root = DET.fromstring(read_small(zf, "meta.xml", SMALL_PART))
    out: dict[str, str] = {}
    for el in root.iter():
        if local_name(el.tag) == "user-defined":
            name = next((v for k, v in el.attrib.items() if local_name(k) == "name"), None)
            if name:
                out[name] = el.text or ""
    return out
