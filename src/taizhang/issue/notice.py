"""The notice that goes out with a round's workbooks: 关于报送<年度>年党建工作台账的通知.docx."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from taizhang import gongwen
from taizhang.party.calendar import cn_date
from taizhang.safeio import atomic_path

TO_BE_FILLED = "【待补充】"
_WEEKDAYS = "一二三四五六日"


def deadline_text(day: dt.date | None) -> str:
    """Return a deadline as a notice writes it, 2026年1月15日（星期四）, or 【待补充】 when unset."""
    if day is None:
        return TO_BE_FILLED
    return f"{cn_date(day)}（星期{_WEEKDAYS[day.weekday()]}）"


def notice_title(year: int) -> str:
    """Return the notice's title: 关于报送2025年党建工作台账的通知."""
    return f"关于报送{year}年党建工作台账的通知"


def write_notice(path: Path, *, org: str, year: int, deadline: dt.date | None, contact: str, phone: str,
                 branches: Sequence[tuple[str, str]], sheets: Sequence[str], issued_on: dt.date,
                 descriptions: Mapping[str, str] | None = None) -> Path:
    """Write the round's notice in 公文 format to `path` (atomically) and return `path`.

    `branches` are (code, name) pairs listed in the attachment 报送单位名单; `sheets` are the
    ledger sheet names listed under 一、报送内容 (with `descriptions[sheet]` after each, if given).
    An empty `org`, `contact`, `phone` or a missing `deadline` is written as 【待补充】."""
    org_text = org.strip() or TO_BE_FILLED
    # A line grid only: 28 characters a line in Word, WPS and LibreOffice alike (see gongwen).
    doc = gongwen.new_document(char_grid=False)
    doc.core_properties.title = notice_title(year)

    gongwen.add_title(doc, notice_title(year))
    gongwen.add_addressee(doc, "各党支部：")
    gongwen.add_paragraph(
        doc,
        f"为全面掌握各党支部{year}年党建工作开展情况，规范党建工作台账管理，做好{year}年度党建工作"
        f"统计、总结和考核，{org_text}决定集中收集各党支部{year}年党建工作台账。现将有关事项通知如下：",
    )

    gongwen.add_paragraph(doc, "一、报送内容", level=1)
    others = f"除“填表说明”外包括以下{len(sheets)}张工作表：" if sheets else "各工作表的内容见“填表说明”。"
    gongwen.add_paragraph(
        doc,
        f"{year}年党建工作台账（Excel工作簿，每个党支部一本，随本通知下发）。请各党支部在本支部的"
        f"工作簿中如实填写{year}年1月1日至12月31日的党建工作情况。工作簿{others}",
    )
    for i, sheet in enumerate(sheets, start=1):
        note = (descriptions or {}).get(sheet, "").strip()
        end = "。" if i == len(sheets) else "；"
        text = f"{i}.{sheet}：{note.rstrip('。；;.')}{end}" if note else f"{i}.{sheet}{end}"
        gongwen.add_paragraph(doc, text, level=3)

    gongwen.add_paragraph(doc, "二、填写要求", level=1)
    requirements = [
        ("（一）一事一行。", ("每次会议、每次活动、每名党员、每名发展对象各占一行，不要把多件事写在同一行，"
                          "不要合并单元格。")),
        ("（二）日期按日期填写。", (f"日期请按“{year}-03-05”的格式填写，或使用单元格的日期格式，"
                             "不要写“3月上旬”“年初”之类的文字。")),
        ("（三）使用下拉选项。", "带下拉箭头的单元格请从下拉列表中选择，不要自行输入其他写法。"),
        ("（四）保持工作簿结构。", ("不要修改工作表名称和表头文字，不要删除工作簿中隐藏的工作表（用于识别报送"
                             "支部）；需要时可以插入行、排序和筛选。")),
        ("（五）如实准确填写。", ("表头带“*”的列为必填项；金额以元为单位，保留两位小数；所填内容应与会议"
                           "记录、党费收缴凭证等原始材料一致。")),
    ]
    for head, text in requirements:
        p = gongwen.add_paragraph(doc, "", level=0)
        run = p.add_run(head)
        gongwen.set_run_font(run, gongwen.FONT_KAITI)
        p.add_run(text)

    gongwen.add_paragraph(doc, "三、报送时间和方式", level=1)
    gongwen.add_paragraph(
        doc,
        f"请各党支部于{deadline_text(deadline)}前，将填写完成的台账工作簿（保持.xlsx格式）报送"
        f"{org_text}。经检查发现问题的，将向有关党支部反馈，请按反馈意见修改后重新报送。",
    )
    gongwen.add_paragraph(
        doc, f"联系人：{contact.strip() or TO_BE_FILLED}；联系电话：{phone.strip() or TO_BE_FILLED}。"
    )

    gongwen.add_blank_line(doc)
    gongwen.add_paragraph(doc, "附件：报送单位名单")
    gongwen.add_signature(doc, org_text, issued_on)

    gongwen.add_attachment_label(doc, "附件")
    gongwen.add_title(doc, "报送单位名单")
    if branches:
        gongwen.add_table(
            doc, ["序号", "支部编码", "党支部名称"],
            [[i, code, name] for i, (code, name) in enumerate(branches, start=1)],
            widths=[20, 40, 96], aligns=["center", "center", "left"],
        )
    else:
        gongwen.add_paragraph(doc, TO_BE_FILLED)

    path = Path(path)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path
