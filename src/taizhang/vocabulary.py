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
