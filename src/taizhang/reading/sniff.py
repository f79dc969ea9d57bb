"""What a file really is, from its bytes: xlsx, xlsm, ods, xls, et — or something else, refused
with the reason (CSV, Word, PDF, an image, a password-protected package …)."""


from __future__ import annotations

import codecs
import struct
import zipfile
from pathlib import Path
from typing import IO

from defusedxml import ElementTree as DET

from taizhang.reading.base import DAMAGED, READABLE_KINDS, SMALL_PART, UnreadableFile, read_small

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------------------------
# sniff
# --------------------------------------------------------------------------------------------

def sniff(path: str | Path) -> str:
    """What the file really is, from its bytes: "xlsx", "xlsm", "ods", "xls", "encrypted"
    (a password-protected OOXML or .ods), "xlsb", "docx", "pptx", "doc", "ppt", "zip" (another zip),
    "damaged" (a zip whose directory cannot be read), "csv", "text", "html", "xml", "pdf",
    "image", "archive" (rar/7z), "empty" or "unknown". Never raises for the file's content."""
    with open(path, "rb") as fh:
        return sniff_stream(fh)


def sniff_stream(fh: IO[bytes]) -> str:
    head = fh.read(64 * 1024)
    if not head:
        return "empty"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        fh.seek(0)
        return _sniff_zip(fh)
    if head.startswith(OLE_MAGIC):
        fh.seek(0)
        return _sniff_ole(fh.read())
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return "image"
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c")):
        return "archive"
    return _sniff_text(head)


def _sniff_zip(fh: IO[bytes]) -> str:
    try:
        zf = zipfile.ZipFile(fh)
        names = set(zf.namelist())
        if "mimetype" in names:
            mime = read_small(zf, "mimetype", 200).decode("ascii", "replace").strip()
            if mime.startswith("application/vnd.oasis.opendocument.spreadsheet"):
                # A password-protected .ods is an ordinary zip whose parts are encrypted; the
                # manifest says so (LibreOffice writes <manifest:encryption-data> per part).
                if "META-INF/manifest.xml" in names and b"encryption-data" in read_small(
                        zf, "META-INF/manifest.xml", SMALL_PART):
                    return "encrypted"
                return "ods"
            return "zip"
        types = ""
        if "[Content_Types].xml" in names:
            root = DET.fromstring(read_small(zf, "[Content_Types].xml", SMALL_PART))
            types = " ".join(el.get("ContentType", "") for el in root)
    except Exception:
        return "damaged"
    if "ms-excel.sheet.binary" in types or "xl/workbook.bin" in names:
        return "xlsb"
    if "ms-excel.sheet.macroEnabled.main" in types or "template.macroEnabled.main" in types:
        return "xlsm"
    if "spreadsheetml.sheet.main" in types or "spreadsheetml.template.main" in types:
        return "xlsx"
    if "wordprocessingml" in types or "word/document.xml" in names:
        return "docx"
    if "presentationml" in types or "ppt/presentation.xml" in names:
        return "pptx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _ole_streams(data: bytes, names: tuple[str, ...]) -> set[str]:
    """Which of `names` are entries of the OLE2 directory (entries are 128-byte aligned)."""
    found: set[str] = set()
    for name in names:
        pattern = name.encode("utf-16-le") + b"\x00\x00"
        start = 0
        while True:
            i = data.find(pattern, start)
            if i < 0:
                break
            start = i + 1
            if i % 128 or i < 512 or i + 68 > len(data):
                continue
            (length,) = struct.unpack_from("<H", data, i + 64)
            if length == len(pattern) and data[i + 66] in (1, 2):
                found.add(name)
                break
    return found


def _sniff_ole(data: bytes) -> str:
    streams = _ole_streams(data, ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book",
                                  "WordDocument", "PowerPoint Document"))
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        return "encrypted"
    if {"Workbook", "Book"} & streams:
        # WPS .et files are OLE2 containers with a BIFF Workbook stream, read like .xls.
        return "xls"
    if "WordDocument" in streams:
        return "doc"
    if "PowerPoint Document" in streams:
        return "ppt"
    return "unknown"


def _sniff_text(head: bytes) -> str:
    text = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "ignore")
    elif b"\x00" in head:
        return "unknown"
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                # final=False: the 64 KB cut may split the last character
                text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        return "unknown"
    if any(ord(ch) < 32 and ch not in "\r\n\t\f" for ch in text[:4096]):
        return "unknown"
    lower = text.lstrip("\ufeff \r\n\t").lower()
    if lower.startswith("mime-version") or "<html" in lower[:4096] or "<table" in lower[:4096]:
        return "html"
    if lower.startswith("<"):
        return "xml"
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if lines and all(("," in line or "\t" in line or "，" in line) for line in lines):
        return "csv"
    return "text"


_NOT_WORKBOOK = {
    "docx": "是Word文档", "doc": "是Word文档",
    "pptx": "是PowerPoint演示文稿", "ppt": "是PowerPoint演示文稿",
    "zip": "是压缩包或其他类型的文件", "archive": "是RAR或7z压缩包",
    "csv": "是CSV文本文件", "text": "是文本文件", "html": "是网页格式（HTML）的文件",
    "xml": "是XML格式的文件", "pdf": "是PDF文件", "image": "是图片文件",
    "unknown": "无法识别文件格式",
}


def refuse_kind(kind: str) -> None:
    if kind in READABLE_KINDS:
        return
    if kind == "empty":
        raise UnreadableFile("FILE-UNREADABLE", "文件是空的（0字节）")
    if kind == "encrypted":
        raise UnreadableFile("FILE-ENCRYPTED", "文件设置了打开密码")
    if kind == "damaged":
        raise UnreadableFile("FILE-UNREADABLE", DAMAGED)
    if kind == "xlsb":
        raise UnreadableFile("FILE-UNREADABLE",
                             "文件是Excel二进制工作簿（.xlsb）格式，本工具不读取这种格式")
    raise UnreadableFile("FILE-NOT-WORKBOOK", _NOT_WORKBOOK.get(kind, _NOT_WORKBOOK["unknown"]))
