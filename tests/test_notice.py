"""The round's notice: read the document back and check what a branch will read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest

from taizhang.issue import notice

BRANCHES = [("001", "机关第一党支部"), ("002", "办公室党支部"), ("003", "离退休干部党支部")]
SHEETS = ["党员名册", "三会一课", "组织生活", "党费收缴", "发展党员", "年度小结"]


def _write(tmp_path: Path, **overrides) -> Path:
    args = {
        "org": "中共某某市直机关工作委员会", "year": 2025, "deadline": dt.date(2026, 1, 15), "contact": "张三",
        "phone": "010-12345678", "branches": BRANCHES, "sheets": SHEETS, "issued_on": dt.date(2025, 12, 20),
    }
    args.update(overrides)
    return notice.write_notice(tmp_path / "关于报送2025年党建工作台账的通知.docx", **args)


def _text(path: Path) -> tuple[list, str]:
    doc = docx.Document(str(path))
    return doc, "\n".join(p.text for p in doc.paragraphs)


def test_notice_content(tmp_path):
    path = _write(tmp_path, descriptions={"党员名册": "本支部全体党员的基本信息。"})
    assert path == tmp_path / "关于报送2025年党建工作台账的通知.docx" and path.is_file()
    doc, text = _text(path)
    paras = doc.paragraphs
    assert paras[0].text == "关于报送2025年党建工作台账的通知"
    assert paras[0].style.name == "公文标题"
    assert paras[1].text == "各党支部：" and paras[1].style.name == "主送机关"
    headings = [p.text for p in paras if p.style.name == "一级标题"]
    assert headings == ["一、报送内容", "二、填写要求", "三、报送时间和方式"]
    # 2026-01-15 is a Thursday.
    assert "请各党支部于2026年1月15日（星期四）前" in text
    assert "联系人：张三；联系电话：010-12345678。" in text
    listed = [p.text for p in paras if p.style.name == "三级标题"]
    assert listed == ["1.党员名册：本支部全体党员的基本信息；", "2.三会一课；", "3.组织生活；",
                      "4.党费收缴；", "5.发展党员；", "6.年度小结。"]
    assert "除“填表说明”外包括以下6张工作表" in text
    for phrase in ("一事一行", "下拉列表", "不要修改工作表名称", "不要删除工作簿中隐藏的工作表", "2025-03-05"):
        assert phrase in text
    assert "附件：报送单位名单" in text
    assert "【待补充】" not in text


def test_signature_and_date(tmp_path):
    doc, _ = _text(_write(tmp_path))
    signed = [p for p in doc.paragraphs if p.style.name == "落款"]
    assert [p.text for p in signed] == ["中共某某市直机关工作委员会", "2025年12月20日"]
    # The signature comes before the attachment, which starts on a new page.
    texts = [p.text for p in doc.paragraphs]
    label = texts.index("附件")
    assert texts.index("2025年12月20日") < label
    assert doc.paragraphs[label].paragraph_format.page_break_before
    assert texts[label + 1] == "报送单位名单"


def test_attachment_lists_every_branch(tmp_path):
    doc, _ = _text(_write(tmp_path))
    (table,) = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows == [["序号", "支部编码", "党支部名称"], ["1", "001", "机关第一党支部"],
                    ["2", "002", "办公室党支部"], ["3", "003", "离退休干部党支部"]]


def test_missing_facts_are_marked_not_invented(tmp_path):
    doc, text = _text(_write(tmp_path, org="", contact="", phone=" ", deadline=None, branches=[]))
    assert "请各党支部于【待补充】前" in text
    assert "联系人：【待补充】；联系电话：【待补充】。" in text
    assert [p.text for p in doc.paragraphs if p.style.name == "落款"] == ["【待补充】", "2025年12月20日"]
    assert doc.tables == []
    assert doc.paragraphs[-1].text == "【待补充】"


def test_body_uses_the_gongwen_layout(tmp_path):
    doc, _ = _text(_write(tmp_path))
    grid = doc.sections[0]._sectPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docGrid")
    assert grid.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}linePitch") == "579"
    requirement = next(p for p in doc.paragraphs if p.text.startswith("（一）一事一行。"))
    head = requirement.runs[0]
    assert head.text == "（一）一事一行。"
    fonts = head._r.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rPr/"
                         "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "楷体_GB2312"


def test_write_replaces_atomically(tmp_path, monkeypatch):
    path = _write(tmp_path, year=2025)
    first = path.read_bytes()
    _write(tmp_path, contact="李四")
    assert path.read_bytes() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left

    before = path.read_bytes()

    def broken_save(self, target):
        Path(target).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr("docx.document.Document.save", broken_save)
    with pytest.raises(OSError):
        _write(tmp_path, contact="王五")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_deadline_text():
    assert notice.deadline_text(dt.date(2026, 1, 15)) == "2026年1月15日（星期四）"
    assert notice.deadline_text(dt.date(2025, 12, 28)) == "2025年12月28日（星期日）"
    assert notice.deadline_text(None) == "【待补充】"
