"""The empty committee ledger: a 填表说明 sheet, then one sheet per part with the same headers,
drop-downs and input messages as the branches' workbooks (`issue.workbook`'s sheet writer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taizhang.committee.definition import (
    COMMITTEE_MEETING_KINDS,
    FILE_NAME,
    LECTURE_LEVELS,
    LEDGERS,
    VERSION,
)
from taizhang.issue.workbook import _formats, _Lists, _table_sheet, write_guide
from taizhang.safeio import atomic_path, new_xlsx
from taizhang.workspace.branches import Branch

TITLE = "党委工作台账"
HOW_TO = (
    ("本台账由党委（党工委）办公室填写，记录党委自身的工作，一个单位一本，逐年续填：每一行按它的日期"
     "（重点任务按“年度”列）计入当年，不要每年新建。"),
    "“会议和学习”表登记党委会议、理论学习中心组学习、书记讲党课和意识形态研判，一次一行，“类别”从下拉列表中选择。",
    "党委会议上作为“第一议题”学习的内容写在“第一议题”列（没有的不填），其余议题写在“主题或议题”列，用分号隔开。",
    "书记讲党课包括党委书记、党委副书记、委员和各支部书记讲的党课，“备注”写明讲课人的职务层级。",
    ("“制度建设”表登记以党委名义印发的文件；“重点任务”表登记年度重点任务、主要措施和年底的完成进度；"
     "“荣誉”表登记党委和所属组织、党员获得的表彰。"),
    "日期请按“2025-03-05”的格式填写。带“*”的列为必填项；不要修改工作表名称和表头文字。",
    "年度党建工作总结中“党委自身建设”一部分的次数和事例取自本台账；用 taizhang committee 可以检查填写情况。",
)
EXAMPLES = (
    ("会议和学习", ("2025-03-12｜党委会议｜研究年度党建工作要点；研究发展党员计划｜第一议题：学习习近平总书记在全国两会"
                "期间的重要讲话精神｜主持人：张建华")),
    ("会议和学习", "2025-06-27｜书记讲党课｜弘扬伟大建党精神，推动交通运输高质量发展｜主讲人：张建华｜备注：党委书记"),
    ("制度建设", "2025-04-08｜青交机党〔2025〕3号｜关于进一步规范党支部“三会一课”的实施办法"),
    ("重点任务", "2025｜深入学习贯彻党的二十届四中全会精神｜举办专题读书班，开展支部书记轮训……｜100"),
    ("荣誉", "2025-06-28｜市直机关先进基层党组织｜市厅级｜中共青禾市直属机关工作委员会｜公路事业发展中心党支部"),
)


def write_template(path: Path, *, org: str = "", rows: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write the committee ledger to `path` atomically (empty, or with `rows` per sheet id:
    meetings, documents, tasks, honours, each row {column key: value}); return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = new_xlsx(tmp)
        f = _formats(wb)
        lists = _Lists(wb)
        _instructions(wb, f, org)
        unit = Branch("", org or "本单位")
        for ledger in LEDGERS:
            _table_sheet(wb, f, ledger, unit, 0, lists, list((rows or {}).get(ledger.id, [])),
                         title=f"{org}  {TITLE}：{ledger.sheet}" if org else f"{TITLE}：{ledger.sheet}")
        wb.set_properties({"title": f"{org}{TITLE}", "subject": TITLE, "author": org, "company": org,
                           "comments": f"由 taizhang 生成（{TITLE} {VERSION}版）。"})
        wb.close()
    return path


def _instructions(wb: Any, f: Any, org: str) -> None:
    info = [("单位", org or "（本单位）"), ("文件", FILE_NAME), ("版本", f"{TITLE} {VERSION}版")]
    choices = [("会议和学习的类别", "、".join(COMMITTEE_MEETING_KINDS)), ("讲党课人的层级", "、".join(LECTURE_LEVELS))]
    write_guide(wb, f, "填表说明", f"{org}{TITLE}", info, HOW_TO, LEDGERS, examples=EXAMPLES,
                extra=[("可选的类别", choices)])
