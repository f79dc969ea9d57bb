"""The sheets of the committee's own ledger (党委工作台账.xlsx), as ledger definitions.

They are `workspace.definitions.Ledger`s, so that the same template writer (drop-downs, input
messages) and the same reading layer (headers found by text, cells normalised the way people
type) serve the committee's ledger as serve the branches' returns. They are not in
`workbook_templates/`: that folder defines the branches' workbook. One file holds every year: a
row belongs to the year of its date (重点任务: of its 年度), so the office keeps adding to it.
"""

from __future__ import annotations

from taizhang.vocabulary import HONOUR_LEVELS
from taizhang.workspace.definitions import Column, Ledger

FILE_NAME = "党委工作台账.xlsx"
VERSION = "2026.1"

# The kinds of the committee's meetings and study (会议和学习 sheet, 类别 column).
COMMITTEE_MEETING = "党委会议"
CENTRE_GROUP = "理论学习中心组学习"
SECRETARY_LECTURE = "书记讲党课"
IDEOLOGY = "意识形态研判"
COMMITTEE_MEETING_KINDS = (COMMITTEE_MEETING, CENTRE_GROUP, SECRETARY_LECTURE, IDEOLOGY)
# Who gave a 书记讲党课 (备注 of such a row; a suggestion, other text is kept as typed).
LECTURE_LEVELS = ("党委书记", "党委副书记", "党委委员", "党总支书记", "支部书记")

_SERIAL = Column("seq", "序号", "serial", width=6)
_NOTE = Column("note", "备注", "text", width=20)


def _date(header: str, help: str, *, required: bool = True) -> Column:
    # history: the file spans years, so a date of any year is accepted (the year is the row's own)
    return Column("date", header, "date", required=required, width=12, help=help, history=True)


MEETINGS = Ledger(
    id="meetings", sheet="会议和学习", version=VERSION, input_rows=80,
    description="党委（党工委）会议、理论学习中心组学习、书记讲党课、意识形态研判，一次一行。",
    columns=(
        _SERIAL,
        _date("日期", "会议或学习的日期，例如 2025-03-12。"),
        Column("kind", "类别", "enum", required=True, values=COMMITTEE_MEETING_KINDS, width=18,
               help="党委会议、理论学习中心组学习、书记讲党课、意识形态研判，四选一。"),
        Column("topic", "主题或议题", "text", required=True, width=40,
               help="会议的议题（多个用分号隔开），学习的专题，党课的题目，研判的内容。"),
        Column("first_topic", "第一议题", "text", width=36,
               help="会上作为“第一议题”学习的内容，例如：学习习近平总书记在……时的重要讲话精神。没有的不填。"),
        Column("speaker", "主持人或主讲人", "person", width=12,
               help="会议填主持人，党课填授课人，中心组学习填主持人或领学人。"),
        Column("note", "备注", "text", width=20,
               help="书记讲党课的，写明讲课人的职务层级：党委书记、党委副书记、党委委员、党总支书记或支部书记。"),
    ),
)

DOCUMENTS = Ledger(
    id="documents", sheet="制度建设", version=VERSION, input_rows=40,
    description="以党委（党工委）名义印发的制度、办法、方案、通知等文件，一件一行。",
    columns=(
        _SERIAL,
        _date("印发日期", "文件的印发日期。"),
        Column("doc_no", "文号", "text", width=22, help="例如：青交机党〔2025〕3号；没有文号的不填。"),
        Column("title", "文件名称", "text", required=True, width=50,
               help="文件的全称，例如：关于进一步规范党支部“三会一课”的实施办法。"),
        _NOTE,
    ),
)

TASKS = Ledger(
    id="tasks", sheet="重点任务", version=VERSION, input_rows=30,
    description="党委（党工委）年度重点任务、主要措施和完成进度，一项一行。",
    columns=(
        _SERIAL,
        Column("year", "年度", "int", required=True, width=8, min=2000, max=2100,
               help="这项任务属于哪一年，例如 2025。"),
        Column("name", "任务名称", "text", required=True, width=36,
               help="例如：深入学习贯彻党的二十届四中全会精神。"),
        Column("measures", "主要措施", "text", width=50, help="采取的主要措施，可分条书写。"),
        Column("progress", "完成进度（%）", "int", width=10, min=0, max=100,
               help="截至年底的完成进度，0至100的整数，已完成填100。"),
        _NOTE,
    ),
)

HONOURS = Ledger(
    id="honours", sheet="荣誉", version=VERSION, input_rows=30,
    description="党委（党工委）和所属组织、党员获得的荣誉表彰，一项一行。",
    columns=(
        _SERIAL,
        _date("授予日期", "荣誉的授予日期（或表彰文件的印发日期）。"),
        Column("name", "荣誉名称", "text", required=True, width=36,
               help="例如：市直机关先进基层党组织、优秀共产党员。"),
        Column("level", "级别", "enum", values=HONOUR_LEVELS, width=10, help="按授予单位的层级选择。"),
        Column("awarded_by", "授予单位", "text", width=24, help="例如：中共青禾市委、市直机关工委。"),
        Column("recipient", "获得者", "text", width=24, help="获得荣誉的组织名称或党员姓名。"),
        _NOTE,
    ),
)

LEDGERS = (MEETINGS, DOCUMENTS, TASKS, HONOURS)
