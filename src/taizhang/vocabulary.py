"""The words taizhang says about files and returns, in one place: what collect did with a file,
where a branch's return stands, what issue did with a workbook. The CLI, the statistics, the
workbooks and the reports all show these words, so each is defined once here.
"""

from __future__ import annotations

# What collect did with one file.
ACCEPTED = "已接收"
NEEDS_FIX = "需修改"
UNIDENTIFIED = "无法识别"
UNREADABLE = "无法读取"
NOT_WORKBOOK = "不是工作簿"
DUPLICATE = "已收过"
FAILED_OUTCOMES = frozenset({UNIDENTIFIED, UNREADABLE, NOT_WORKBOOK})

# Where a branch's return for a round stands (status, 表5, the 通报).
RETURNED = "已报送"
LATE = "逾期报送"
MISSING = "未报送"
STATES = (RETURNED, LATE, NEEDS_FIX, MISSING)
ON_TIME, OVERDUE = "按时", "逾期"
LEFT_OUT = "有错误未纳入"  # returned, but left out of strict figures

# What issue did with one branch's workbook.
ISSUED = "已下发"
EXISTS = "已存在"
FAILED = "失败"

# The 专题类别 of a meeting (三会一课) or activity (组织生活) in the ledger from template 2026.1:
# the drop-down of both sheets' theme_kind column (tests check the definitions list exactly these),
# and the themes the reports group recorded items by.
THEME_KINDS = ("第一议题", "专题学习研讨", "廉政教育", "警示教育", "我为群众办实事",
               "结对共建", "青年宣讲", "志愿服务", "急难险重任务", "参观见学")
FIRST_TOPIC, STUDY, SERVICE = "第一议题", "专题学习研讨", "我为群众办实事"

# The quarters of 季度小结, in order.
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")

# The levels of an honour (荣誉和成果, and the committee ledger's 荣誉).
HONOUR_LEVELS = ("国家级", "省部级", "市厅级", "县处级", "本单位")
