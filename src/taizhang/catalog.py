"""The catalog of every rule: id, title, default severity, source, and message template.

Ledger definitions refer to rules by id; the validator yields problems through `make`; the
README's rule table is generated from `RULES` (tests/test_docs.py checks it is current). A
message template is a `str.format` template over named fields that the check supplies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from taizhang.problems import Problem, Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

DUES_RULES = "《关于中国共产党党费收缴、使用和管理的规定》（中组部，2008）"
DUES_2017 = "中组部组电明字〔2017〕5号通知"
REC_RULES = "《中国共产党发展党员工作细则》（2014）"
BRANCH_RULES = "《中国共产党支部工作条例（试行）》（2018）"
LEDGER = "台账填写要求"


@dataclass(frozen=True)
class Rule:
    """One named rule: what it checks, how serious by default, where it comes from."""

    id: str
    title: str
    severity: Severity
    source: str
    template: str
    scope: str  # 文件 / 工作表 / 单元格 / 行 / 跨表 / 全年

    def message(self, **fields: Any) -> str:
        """The Chinese message with the check's figures filled in."""
        return self.template.format(**fields)


def _r(id: str, title: str, sev: Severity, scope: str, source: str, template: str) -> Rule:
    return Rule(id=id, title=title, severity=sev, source=source, template=template, scope=scope)


_ALL = [
    # --- file level: reading and identification -------------------------------------------
    _r("FILE-UNREADABLE", "文件无法读取", E, "文件", LEDGER,
       "文件无法作为Excel工作簿打开：{reason}。请用Excel或WPS打开确认后另存为.xlsx再报送。"),
    _r("FILE-NOT-WORKBOOK", "不是工作簿", E, "文件", LEDGER,
       "这不是Excel工作簿（{reason}），已跳过。请报送下发的台账工作簿。"),
    _r("FILE-TOO-LARGE", "文件超出限制", E, "文件", LEDGER,
       "文件超出安全限制（{reason}），未读取。请检查文件是否正确，必要时删除多余内容后重新报送。"),
    _r("FILE-ZIP-UNSAFE", "压缩包内容不安全", E, "文件", LEDGER,
       "压缩包中的“{member}”{reason}，已跳过。请直接报送工作簿，或重新打包。"),
    _r("FILE-DUPLICATE", "重复报送", I, "文件", LEDGER,
       "这个文件与已收到的“{first}”内容完全相同，未重复接收。"),
    _r("FILE-ENCRYPTED", "文件设置了密码", E, "文件", LEDGER,
       "文件设置了打开密码，无法读取。请取消密码（文件→信息→保护工作簿）后重新报送。"),
    _r("FILE-UNSAFE", "文件含有不安全的内容", E, "文件", LEDGER,
       "文件含有不安全的内容（{reason}），为安全起见没有读取。请向报送单位核实文件来源；"
       "确是本支部的台账的，请用Excel或WPS打开后另存为新的.xlsx文件再报送。"),
    _r("ID-SIGNATURE", "身份签名无效", E, "文件", LEDGER,
       "工作簿的身份信息已被改动或不是本单位下发的（{reason}），不能作为{branch}的台账接收。"
       "请使用本单位下发的原始工作簿填写后重新报送。"),
    _r("ID-UNKNOWN-BRANCH", "支部不在名单中", E, "文件", LEDGER,
       "工作簿所属支部“{branch}”不在支部名单中。请核对支部名单或确认文件来源。"),
    _r("ID-WRONG-YEAR", "年度不符", E, "文件", LEDGER,
       "这是{year}年度的台账，本工作区没有{year}年度的下发记录，本次收集的是{expected}年度。请报送{expected}年度的台账。"),
    _r("ID-OTHER-YEAR", "其他年度的台账", I, "文件", LEDGER,
       "这是{year}年度的台账（工作区现在是{expected}年度），已作为{year}年度的报送接收，按{year}年度的截止日期"
       "判断是否逾期。用 taizhang status --year {year} 查看。"),
    _r("ID-WRONG-BRANCH", "支部不符", E, "文件", LEDGER,
       "工作簿签名属于“{signed}”，但填表说明中写的是“{claimed}”。请确认是哪个支部的台账。"),
    _r("ID-CONTENT", "内容与签名的支部不符", E, "文件", LEDGER,
       "工作簿签名（或填表说明）表明是“{branch}”的台账，但{reason}。可能是把别的支部的身份信息复制到了这本工作簿，"
       "请与支部核实；确是该支部的台账时，可运行 taizhang collect --accept 文件 接收。"),
    _r("FILE-HIDDEN", "隐藏文件没有收集", I, "文件", LEDGER,
       "“{file}”是隐藏文件（文件名以“.”开头），没有收集。如果它是报回的台账，请去掉文件名开头的“.”，"
       "或运行 taizhang collect 时写明这个文件。（每个文件只提示这一次）"),
    _r("FILE-TIME", "报送时间已按收到的时间调整", I, "文件", LEDGER,
       "文件的修改时间是{file_time}，{reason}，报送时间按{used}计（用于判断是否逾期和哪一份为准）。"),
    _r("RETURN-HELD", "新收到的台账暂未替换原来的", W, "文件", LEDGER,
       "这份台账已保存，但没有替换本支部{current_time}收到的“{current}”：{reason}。"
       "如确认以这份为准，请运行 taizhang collect --accept “{file}”。"),
    _r("ID-UNVERIFIED", "来源无法核实", W, "文件", LEDGER,
       "工作簿缺少身份信息（隐藏的_meta工作表），按{how}认定为“{branch}”的台账，来源无法核实。"
       "请提醒支部使用下发的原始工作簿。"),
    _r("ID-UNIDENTIFIED", "无法识别支部", E, "文件", LEDGER,
       "无法确定这个工作簿属于哪个支部（{reason}）。请使用下发的原始工作簿，或在文件名中写明支部名称。"),
    _r("ID-OLD-TEMPLATE", "模板版本较旧", I, "文件", LEDGER,
       "工作簿使用的是{version}版模板，当前为{current}版，已按表头读取。"),
    _r("ID-ROLLUP-FILE", "下级汇总文件", I, "文件", LEDGER,
       "这是{unit}报送上级的汇总文件，不是党支部的台账，自查不检查它。请把它交给上级党组织，由上级用"
       " taizhang collect 收集，收集时会核验签名并逐个检查其中各支部的台账。"),
    # --- the workspace's settings ----------------------------------------------------------------
    _r("CONFIG-DEADLINE", "报送截止日期早于年底", W, "设置", LEDGER,
       "taizhang.toml 中的报送截止日期是{deadline}，早于{year}年年底，而本轮收集的是{year}年全年的台账，"
       "可能是上一年度留下的日期。请运行 taizhang year {year} --deadline {suggest}（换成实际的截止日期）改正；"
       "确是年中集中收集的，可不理会。"),
    # --- 支部名单 -------------------------------------------------------------------------------
    _r("BR-CODE-EMPTY", "支部编码为空", E, "支部名单", LEDGER,
       "第{row}行的支部“{name}”没有填写支部编码。请填写唯一的编码（如001）。"),
    _r("BR-CODE-DUP", "支部编码重复", E, "支部名单", LEDGER,
       "支部编码“{code}”出现了多次（第{rows}行）。每个支部的编码必须唯一。"),
    _r("BR-NAME-EMPTY", "支部名称为空", E, "支部名单", LEDGER,
       "第{row}行（编码{code}）没有填写支部名称。"),
    _r("BR-NAME-DUP", "支部名称重复", W, "支部名单", LEDGER,
       "支部名称“{name}”出现了多次（第{rows}行）。名称相同容易混淆，请加以区分。"),
    _r("BR-NAME-CHARS", "名称含不能用于文件名的字符", W, "支部名单", LEDGER,
       "支部名称“{name}”含有不能用于文件名的字符，文件名中将写作“{safe}”。"),
    _r("BR-PARENT", "上级组织不存在", E, "支部名单", LEDGER,
       "第{row}行的上级组织“{parent}”既不是名单中的编码，也不是本单位编码。"
       "请填写名单中党总支（党委）的编码；直属本单位的留空。暂按直属本单位统计。"),
    _r("BR-CYCLE", "上下级关系循环", E, "支部名单", LEDGER,
       "上级组织关系出现循环：{path}。请核对“上级组织”列。暂把第{row}行的“{name}”按直属本单位统计。"),
    _r("BR-KIND", "组织类别与上下级关系不符", W, "支部名单", LEDGER,
       "第{row}行“{name}”的组织类别{problem}。{hint}"),
    # --- roll-ups from lower levels (党总支 / 党委 running their own workspace) -------------------
    _r("ROLLUP-UNREGISTERED", "下级单位未登记", E, "汇总", LEDGER,
       "这是“{unit}”（编码{code}）报送的下级汇总，{reason}，不能接收。如确是下级单位报送的，"
       "请先运行 taizhang link add {code} 建立上报链接，把生成的密钥文件交给对方导入后重新汇总报送。"),
    _r("ROLLUP-SIGNATURE", "下级汇总签名无效", E, "汇总", LEDGER,
       "“{unit}”（编码{code}）的汇总签名无法用本单位为它登记的密钥核验（{reason}），不能接收。"
       "请与对方电话核对密钥指纹（本单位登记的是 {fingerprint}）。"),
    _r("ROLLUP-ALTERED", "下级汇总被改动", E, "汇总", LEDGER,
       "“{unit}”（编码{code}）的汇总在生成后被改动过（{detail}），不能接收。"
       "请对方不要打开修改，在其工作区重新运行 taizhang rollup 后直接报送生成的文件。"),
    _r("ROLLUP-BROKEN", "下级汇总不完整", E, "汇总", LEDGER,
       "这个文件是下级汇总，但{reason}，不能接收。请对方重新运行 taizhang rollup 生成后报送。"),
    _r("ROLLUP-OWN", "本单位自己的汇总", E, "汇总", LEDGER,
       "这是本单位用 taizhang rollup 生成、要报送给“{upper}”的汇总文件，不在本单位收集。请把它报送给上级。"),
    _r("ROLLUP-CLASH", "支部编码与其他单位冲突", E, "汇总", LEDGER,
       "汇总中的支部“{branch}”{reason}，该支部的数据未接收。"
       "请统一各级的支部编码（建议下级支部的编码以党总支编码开头，如“{code}-01”）。"),
    _r("ROLLUP-PLACE", "支部所属组织不一致", W, "汇总", LEDGER,
       "汇总中的支部“{branch}”在本单位支部名单中{where}，已接收，按支部名单的位置统计。请核对支部名单。"),
    _r("ROLLUP-CONFLICT", "同一支部有两份来源的台账", I, "汇总", LEDGER,
       "“{branch}”同时有{first}（报送时间{first_time}）和{second}（报送时间{second_time}），"
       "按报送时间采用较新的{kept}；另一份保留在报送历史中，不重复统计。"),
    # --- sheet level ---------------------------------------------------------------------------
    _r("SHEET-MISSING", "缺少工作表", E, "工作表", LEDGER,
       "找不到“{sheet}”工作表。请不要删除或改名工作表，恢复后重新报送。"),
    _r("SHEET-HIDDEN", "台账工作表被隐藏", W, "工作表", LEDGER,
       "{detail}。"),
    _r("SHEET-NAME", "工作表名称有改动", W, "工作表", LEDGER,
       "工作表名称是“{found}”，与下发的“{sheet}”不完全相同（多了空格或写法不同），已按“{sheet}”读取。请不要修改工作表名称。"),
    _r("COLUMN-MISSING", "缺少列", E, "工作表", LEDGER,
       "“{sheet}”表找不到“{column}”列，该列数据无法读取。请恢复表头文字（不要改名或删除列）。"),
    _r("SHEET-TOO-MANY-ROWS", "行数超出限制", E, "工作表", LEDGER,
       "“{sheet}”表的内容一直到第{rows}行，超过上限{limit}行，只读取了前{limit}行。"
       "请检查是否误粘贴了大量内容，或在表格下方很远处误输入了内容，删除后重新报送。"),
    _r("SHEET-MERGED", "合并了输入区的单元格", W, "工作表", LEDGER,
       "{range}是合并单元格，只有左上角的值会被读取。请取消合并，每行单独填写。"),
    _r("PROBLEM-CAP", "问题过多", I, "文件", LEDGER,
       "共有{total}条问题，超过{limit}条的上限，只列出最严重的{limit}条。请先改正已列出的问题后重新报送。"),
    # --- cell level (from the definitions) ----------------------------------------------------
    _r("CELL-REQUIRED", "必填项为空", E, "单元格", LEDGER,
       "“{column}”是必填项，不能为空。"),
    _r("CELL-TYPE", "格式不正确", E, "单元格", LEDGER,
       "“{value}”不是有效的{type}。{hint}"),
    _r("CELL-ENUM", "不在下拉选项中", E, "单元格", LEDGER,
       "“{value}”不是“{column}”的可选项。请从下拉列表中选择：{choices}。"),
    _r("CELL-NEGATIVE", "数值为负", E, "单元格", LEDGER,
       "“{column}”不能为负数（填写的是{value}）。"),
    _r("CELL-RANGE", "数值超出合理范围", E, "单元格", LEDGER,
       "“{column}”填写的是{value}，超出了合理范围（{range}），这个数不计入任何统计。请核对是否多输了位数或填错了列。"),
    _r("CELL-YEAR", "日期不在本年度", E, "单元格", LEDGER,
       "日期{value}不在{year}年度内。本表只登记{year}年的事项，请核对年份。"),
    _r("CELL-NEXT-YEAR", "日期晚于本年度", W, "单元格", LEDGER,
       "日期{value}晚于{year}年12月31日。本台账登记截至{year}年底的情况，这一日期不计入{year}年的统计；"
       "{next}年的事项请登记在{next}年的台账中（下发{next}年台账时，党员名册和发展党员会连同这一日期带入）。"),
    _r("CELL-FORMULA", "公式没有计算结果", E, "单元格", LEDGER,
       "这个单元格是公式（{value}），但没有保存计算结果，无法读取。请在Excel中打开后保存，或直接填写数值。"),
    _r("CELL-TOO-LONG", "单元格内容过长", E, "单元格", LEDGER,
       "“{column}”的内容有{length}个字符，超过Excel单元格的上限{limit}个字符，只读取了前{limit}个。请精简内容。"),
    _r("CELL-READ-HINT", "已按常见写法识别", I, "单元格", LEDGER,
       "“{value}”已识别为{read}。建议使用标准格式（{standard}）。"),
    _r("CELL-AMBIGUOUS", "写法有歧义", E, "单元格", LEDGER,
       "“{value}”有多种理解方式，无法确定（{reason}）。{hint}"),
    # --- 三会一课 ------------------------------------------------------------------------------
    _r("MEET-ATTEND", "实到人数超过应到人数", E, "行", LEDGER,
       "实到人数{present}人多于应到人数{expected}人。请核对人数。"),
    _r("MEET-QUORUM", "党员大会不足法定人数", E, "行", f"{BRANCH_RULES}；{REC_RULES}第二十三条",
       "支部党员大会应到{expected}人、实到{present}人，未超过半数（至少应有{needed}人到会），会议不能作出决定。"
       "请核对人数；如确实不足，应另行召开会议。"),
    _r("MEET-EXPECTED", "应到人数与党员名册不符", W, "行", LEDGER,
       "支部党员大会应到人数填{expected}人，但党员名册中{date}在册的党员有{roster}人。请核对应到人数或党员名册。"),
    _r("MEET-NONE-Y", "全年没有三会一课记录", E, "全年", f"{BRANCH_RULES}第十二条",
       "{year}年已经结束，三会一课表中没有任何会议记录。请把全年召开的支部党员大会、支委会、党小组会和党课"
       "逐次登记后重新报送；确实没有召开的，请在年度小结中说明原因。"),
    _r("MEET-GM-Q", "支部党员大会次数不足", W, "全年", f"{BRANCH_RULES}第十二条",
       "支部党员大会一般每季度召开1次，截至{until}应至少召开{required}次，台账登记{held}次{detail}。"),
    _r("MEET-CMTE-M", "支委会次数不足", W, "全年", f"{BRANCH_RULES}第十二条",
       "支委会一般每月召开1次，截至{until}应至少召开{required}次，台账登记{held}次{detail}。"),
    _r("MEET-GROUP-M", "党小组会次数不足", W, "全年", f"{BRANCH_RULES}第十二条",
       "每个党小组一般每月召开1次党小组会，本支部有{groups}个党小组，截至{until}应至少召开{required}次，"
       "台账登记{held}次{detail}。"),
    _r("MEET-LECTURE-Q", "党课次数不足", W, "全年", f"{BRANCH_RULES}第十二条及各地规定",
       "党课一般每季度至少1次，截至{until}应至少{required}次，台账登记{held}次{detail}。"),
    _r("MEET-LECTURE-SEC", "书记未讲党课", W, "全年", f"{BRANCH_RULES}及各地规定",
       "支部书记每年至少讲{required}次党课，台账中书记（{secretary}）{detail}。"),
    # --- 组织生活 ------------------------------------------------------------------------------
    _r("LIFE-THEME-M", "主题党日次数不足", W, "全年", "各地关于主题党日的规定",
       "主题党日每月1次，截至{until}应至少{required}次，台账登记{held}次{detail}。"),
    _r("LIFE-OLM-Y", "未召开组织生活会", W, "全年", f"{BRANCH_RULES}第十六条",
       "组织生活会每年至少召开{required}次，台账中{year}年{detail}。"),
    _r("LIFE-REVIEW-Y", "未开展民主评议党员", W, "全年", f"{BRANCH_RULES}第十六条",
       "民主评议党员一般每年开展{required}次，台账中{year}年{detail}。"),
    _r("LIFE-TALK-Y", "未开展谈心谈话", W, "全年", f"{BRANCH_RULES}第十六条",
       "谈心谈话每年至少开展{required}次，台账中{year}年{detail}。"),
    # --- 党费 ------------------------------------------------------------------------------------
    _r("DUES-RATE", "月应交与标准不符", E, "行", f"{DUES_RULES}；{DUES_2017}",
       "{category}党员月计算基数{base}元，按规定月应交{expected}元，台账填写{due}元。{hint}"),
    _r("DUES-HIGH", "月应交金额较大", I, "行", DUES_2017,
       "月应交{due}元，超过{limit}元，请核对月计算基数是否只含固定工资部分。"),
    _r("DUES-UNDERPAID", "当月少交党费", W, "行", DUES_RULES,
       "{month}实交{paid}元，少于月应交{due}元。如经批准少交，请在备注中写明。"),
    _r("DUES-UNPAID", "当月未交党费", W, "行", DUES_RULES,
       "{month}已过，没有交纳党费的记录。如已补交，请填写补交金额；按季度交纳的请在备注中说明。"),
    _r("DUES-6M", "连续6个月未交党费", E, "行", f"{DUES_RULES}第二十四条；《党章》第九条",
       "{name}从{start}到{end}连续{months}个月未交党费。按规定，无正当理由连续6个月不交纳党费的，视为自行脱党，"
       "支部须作出处理并在备注中写明。"),
    _r("DUES-TOTAL", "全年实交与各月合计不符", W, "行", LEDGER,
       "全年实交填写{total}元，但1至12月合计为{sum}元。{advice}"),
    _r("DUES-PROBATION", "预备党员入党前的月份", I, "行", DUES_RULES,
       "{name}于{admitted}接收为预备党员，此前的月份不需要交纳党费。"),
    # --- 发展党员 ------------------------------------------------------------------------------
    _r("REC-AGE", "申请时未满18周岁", E, "行", f"{REC_RULES}第五条",
       "递交入党申请书时（{applied}）年龄为{age}周岁，未满{min_age}周岁，不能作为入党申请人。"),
    _r("REC-TALK-1M", "谈话超过一个月", W, "行", f"{REC_RULES}第八条",
       "收到入党申请书（{applied}）后应在{months}个月内谈话，实际谈话日期为{talked}。"),
    _r("REC-ORDER", "发展环节日期顺序颠倒", E, "行", REC_RULES,
       "“{later}”（{later_date}）早于“{earlier}”（{earlier_date}）。各环节日期应按先后顺序填写，请核对。"),
    _r("REC-ACTIVIST-1Y", "积极分子培养不满一年", E, "行", f"{REC_RULES}第十五条",
       "确定为入党积极分子（{activist}）后须经过一年以上培养考察才能确定为发展对象，"
       "最早为{earliest}（满一年之日），实际为{candidate}。"),
    _r("REC-TRAINING", "缺少集中培训日期", W, "行", f"{REC_RULES}第十九条",
       "发展对象在接收为预备党员前应参加集中培训（不少于3天或24学时），{detail}"),
    _r("REC-SPONSORS", "入党介绍人不足两名", W, "行", f"{REC_RULES}第十六条",
       "发展对象应有两名正式党员作入党介绍人，台账中{sponsors}。请填写两名入党介绍人的姓名，用顿号隔开。"),
    _r("REC-APPROVE-3M", "上级党委审批超时", W, "行", f"{REC_RULES}第二十八条",
       "支部大会接收预备党员（{admitted}）后，上级党委应在{warn}个月内审批（最长不超过{error}个月），"
       "实际审批日期为{approved}{detail}。"),
    _r("REC-PROBATION-1Y", "预备期不满一年", E, "行", f"{REC_RULES}第三十条",
       "预备期从支部大会通过之日（{admitted}）算起为{years}年，最早应在{earliest}转正，台账填写的转正日期为{confirmed}。"),
    _r("REC-STAGE", "当前阶段与日期不符", E, "行", REC_RULES,
       "当前阶段填写“{stage}”，但已填写的最后一个环节是“{expected_field}”，应为“{expected}”。请核对。"),
    _r("REC-LOCAL", "不符合本地发展党员间隔要求", W, "行", "本单位规定（taizhang.toml）",
       "从“{start}”（{start_date}）到“{end}”（{end_date}）应至少间隔{minimum}，实际只有{actual}。"),
    # --- across sheets -------------------------------------------------------------------------
    _r("CROSS-DUES-ROSTER", "党费表中的人员不在名册中", W, "跨表", LEDGER,
       "党费收缴表中的“{name}”不在党员名册中。请核对姓名，或在党员名册中补登。"),
    _r("CROSS-ROSTER-DUES", "党员没有党费记录", W, "跨表", DUES_RULES,
       "党员名册中的{member_type}“{name}”在党费收缴表中没有记录。请补充一行。"),
    _r("CROSS-PERSON", "会议人员不在名册中", W, "跨表", LEDGER,
       "“{column}”填写的“{name}”不在本支部党员名册中。如是上级领导或外请人员，请在备注中说明。"),
    _r("CROSS-REC-ROSTER", "发展党员与名册不一致", W, "跨表", LEDGER,
       "“{name}”{what}，但党员名册中{roster}。请同步更新党员名册。"),
    _r("ROSTER-EMPTY", "党员名册为空", E, "工作表", LEDGER,
       "党员名册中没有任何党员。党员名册是统计党员人数、核对党费和会议应到人数的依据，请填写本支部全体党员"
       "（包括本年度转出、去世的）后重新报送。"),
    _r("ROSTER-FULL-DATE", "党员类别与转正日期不符", W, "行", f"{REC_RULES}第三十条",
       "{name}的党员类别填写“{member_type}”，但转正日期（{full_date}）{passed}，{day}应为“{expected}”。"
       "统计时按转正日期计为{expected}；请改正党员类别，或核对转正日期。"),
    _r("CROSS-SECRETARY", "名册中书记人数不对", W, "跨表", BRANCH_RULES,
       "党员名册中党内职务为“书记”的有{count}人，应为1人。{hint}"),
    # --- member lists brought in (taizhang members import, taizhang issue --roster) ---------
    _r("LIST-BRANCH-BLANK", "所在支部为空", E, "党员信息表", LEDGER,
       "{name}的“{column}”为空，不知道属于哪个支部，这一行没有导入。请在党员信息表中补上所在支部后重新导入。"),
    _r("LIST-BRANCH-UNKNOWN", "所在支部对不上", E, "党员信息表", LEDGER,
       "“{value}”与支部名单中的支部名称、全称、编码都对不上，第{rows}行的{count}名党员没有导入。"
       "请在支部名单的“全称”列填写这个名称，或改正党员信息表后重新导入。"),
    _r("LIST-BRANCH-AMBIGUOUS", "所在支部不能确定", E, "党员信息表", LEDGER,
       "“{value}”可能是{candidates}，无法确定是哪一个，第{rows}行的{count}名党员没有导入。"
       "请在支部名单的“全称”列写明各支部的登记全称，或在党员信息表中写全称、支部编码。"),
    _r("LIST-VALUE", "不是名册的选项", W, "党员信息表", LEDGER,
       "{name}的“{value}”不是党员名册“{target}”的选项（{choices}）{could}。已原样填入，"
       "支部须改为下拉列表中的一项；也可以在党员信息表列名.toml中写明它对应哪一项后重新导入。"),
    _r("LIST-DATE", "日期不完整", W, "党员信息表", LEDGER,
       "{name}的“{column}”写的是“{value}”，{reason}。已原样填入党员名册“{target}”，请支部补全为完整的日期（如1988-01-05）。"),
    _r("LIST-MONTHS", "整列只写了年月", W, "党员信息表", LEDGER,
       "“{column}”列有{count}人只写了年月（如“{value}”，第{rows}行），没有写哪一天。已原样填入党员名册“{target}”，"
       "请支部补全为完整的日期（如1988-01-05）；能从本单位的系统导出完整日期的，重新导出后再导入更好。"),
    _r("LIST-ID-MISMATCH", "与身份证号不符", W, "党员信息表", LEDGER,
       "{name}的{what}“{value}”与身份证号中的“{id_value}”不符，请核对是哪一个写错了（已按党员信息表中的{what}填入）。"),
    _r("LIST-ID-INVALID", "身份证号无效", I, "党员信息表", LEDGER,
       "{name}的身份证号“{value}”不是有效的18位（或15位）号码，没有用它核对出生日期和性别。"),
    _r("LIST-CONFLICT", "人员类别说法不一", W, "党员信息表", LEDGER,
       "{name}的人员类别，{sources}，说法不一致，已按“{chosen}”填入，请核对。"),
    _r("LIST-COLUMN-UNUSED", "同名的列含义不同", I, "党员信息表", LEDGER,
       "“{column}”列的值（如“{value}”）不是{targets}的选项，可能是别的系统自己的分类，这一列没有使用。"
       "如果它就是{targets}，请在工作区的党员信息表列名.toml中写明这些值对应的选项。"),
    _r("LIST-MERGED", "合并单元格", I, "党员信息表", LEDGER,
       "“{column}”的{range}是合并单元格，第{first}至{last}行的每个人都按“{value}”读取。"),
    _r("LIST-NO-NAME", "没有姓名", W, "党员信息表", LEDGER,
       "这一行没有姓名（有“{value}”等内容），没有导入。"),
    # --- 年度小结、季度小结 ------------------------------------------------------------------------
    _r("SUM-CMTE-FILLED", "实配支委多于职数", W, "行", BRANCH_RULES,
       "年度小结的“实配支委人数”是{filled}人，多于“支委会职数”{posts}人。请核对：实配人数不能超过上级批复的职数。"),
    _r("QUARTER-REPEATED", "季度重复填写", W, "行", LEDGER,
       "“{quarter}”已在第{first}行写过，每个季度只写一行。请把这一行的内容合并到第{first}行后删除这一行。"),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}


def get(rule_id: str) -> Rule:
    """The rule with this id (KeyError for an unknown id)."""
    return RULES[rule_id]


def make(
    rule_id: str,
    *,
    sheet: str = "",
    row: int | None = None,
    column: str = "",
    column_letter: str = "",
    value: Any = "",
    severity: Severity | None = None,
    **fields: Any,
) -> Problem:
    """A Problem for rule `rule_id` with its message filled from `fields`.

    `value` is what the cell held, shown in messages as `{value}` and stored as text.
    """
    rule = RULES[rule_id]
    shown = "" if value is None else _cut(_display(value))
    # A field taken from a return (a name, a title) may be thousands of characters long.
    fields = {k: _cut(v) if isinstance(v, str) else v for k, v in fields.items()}
    message = rule.message(value=shown, column=column, sheet=sheet, row=row, **fields)
    return Problem(
        rule_id=rule_id,
        severity=severity or rule.severity,
        message=message,
        sheet=sheet,
        row=row,
        column=column,
        column_letter=column_letter,
        value=shown,
    )


MAX_FIELD_CHARS = 200  # a figure in a message longer than this is cut, with "…"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"


def _display(value: Any) -> str:
    from datetime import date, datetime

    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
