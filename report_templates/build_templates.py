"""Build the shipped report templates (one .docx per report kind) in 公文 format.

    python report_templates/build_templates.py            # rewrite the templates beside this file
    python report_templates/build_templates.py OUTDIR     # write them somewhere else

Each template is an ordinary Word document laid out by `taizhang.reports.gongwen` (GB/T 9704-2012
styles, A4, 22 lines of 28 characters, page numbers "— 1 —"), with docxtpl placeholders:
``{{ name }}`` is a figure or a sentence filled in from the ledgers, ``{% if %}…{% endif %}``
inside a paragraph keeps or drops a clause, and a paragraph holding only ``{%p … %}`` (or a table
row holding ``{%tr … %}``) repeats or drops the paragraphs (rows) between it and its end tag.
A user may change any wording in Word or WPS and keep the placeholders. The wording lives here, in
one place; the test suite checks that the committed templates are what this script builds.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from taizhang import gongwen
from taizhang.reports.kinds import KINDS

HERE = Path(__file__).resolve().parent


class Template:
    """A template being written: paragraphs, headings, loops, tables, figures, signature."""

    def __init__(self, title: str) -> None:
        self.doc = gongwen.new_document(char_grid=False)
        self.doc.core_properties.title = title
        self.doc.core_properties.subject = "taizhang 报告模板"

    def title(self, text: str) -> None:
        gongwen.add_title(self.doc, text)

    def byline(self, text: str) -> None:
        gongwen.add_byline(self.doc, text)

    def addressee(self, text: str) -> None:
        gongwen.add_addressee(self.doc, text)

    def p(self, text: str, level: int = 0) -> None:
        gongwen.add_paragraph(self.doc, text, level)

    def h1(self, text: str) -> None:
        self.p(text, 1)

    def h2(self, text: str) -> None:
        self.p(text, 2)

    def tag(self, text: str) -> None:
        """A control paragraph ({%p … %}), removed when the template is filled in."""
        gongwen.add_paragraph(self.doc, "{%p " + text + " %}")

    def each(self, loop: str, text: str, level: int = 0) -> None:
        """One paragraph per item of a list."""
        self.tag(f"for {loop}")
        self.p(text, level)
        self.tag("endfor")

    def table(self, headers: Sequence[str], loop: str, cells: Sequence[str], *,
              widths: Sequence[float], aligns: Sequence[str | None], total: Sequence[str] | None = None,
              subtotals: str | None = None) -> None:
        """A table with one row per item of `loop`, an optional 合计 row, and with `subtotals`
        ("g in groups") one more row per item of that list after the 合计 (the same cells, `g.`
        in place of the loop's name)."""
        n = len(headers)

        def loop_rows(expr: str, row: Sequence[str]) -> list[list[str]]:
            return [["{%tr for " + expr + " %}"] + [""] * (n - 1), list(row), ["{%tr endfor %}"] + [""] * (n - 1)]

        after: list[list[str]] = []
        if subtotals:
            name, var = loop.split(" in ")[0].strip(), subtotals.split(" in ")[0].strip()
            after = loop_rows(subtotals, [c.replace("{{ " + name + ".", "{{ " + var + ".") for c in cells])
        gongwen.add_table(self.doc, headers, loop_rows(loop, cells), widths=widths, total_row=total,
                          aligns=aligns, after=after)

    def figure(self, name: str) -> None:
        """A chart picture, dropped when the context has none."""
        self.tag(f"if {name}")
        p = self.doc.add_paragraph(style=self.doc.styles[gongwen.STYLE_FIGURE])
        p.add_run("{{ " + name + " }}")
        self.tag("endif")

    def signature(self, body: str, date: str) -> None:
        gongwen.add_signature(self.doc, body, date)


# --- sentences several reports share -------------------------------------------------------------
def members_sentence(who: str = "支部") -> str:
    return (
        "截至{{ period.snapshot }}，" + who + "共有党员{{ members.total }}名，其中正式党员{{ members.full }}名、"
        "预备党员{{ members.probationary }}名；男党员{{ members.male }}名、女党员{{ members.female }}名。"
        "{% if members.age_text %}按年龄分，{{ members.age_text }}。{% endif %}"
        "{% if members.education_text %}按学历分，{{ members.education_text }}。{% endif %}"
    )


def meetings_sentence(span: str) -> str:
    return (
        span + "召开支部党员大会{{ meetings.general }}次"
        "{% if meetings.attendance %}，平均到会率{{ meetings.attendance }}{% endif %}；"
        "{% if meetings.has_committee %}召开支委会{{ meetings.committee }}次，研究议题{{ meetings.committee_topics }}个；"
        "{% else %}支部正式党员不足{{ committee_min }}人，不设支部委员会；{% endif %}"
        "{% if meetings.has_groups %}召开党小组会{{ meetings.group }}次；{% endif %}"
        "讲党课{{ meetings.lectures }}次，其中支部书记讲党课{{ meetings.secretary_lectures }}次。"
    )


def dues_sentence(span: str) -> str:
    return (
        "{% if dues.any_due %}" + span + "应交党费{{ dues.due }}元，实交{{ dues.paid }}元，收缴率{{ dues.rate }}。"
        "{% if dues.arrears_count %}有{{ dues.arrears_count }}名党员（{{ dues.arrears_names }}）有已到期的月份"
        "未交纳党费。{% else %}党员均按月交纳党费。{% endif %}"
        "{% else %}" + span + "台账中没有党费收缴的记录。{% endif %}"
    )


def recruitment_sentence(span: str, who: str = "支部") -> str:
    return (
        "{% if recruitment.any %}" + span + "收到入党申请书{{ recruitment.applied }}份，确定入党积极分子"
        "{{ recruitment.activists }}名、发展对象{{ recruitment.candidates }}名，接收预备党员"
        "{{ recruitment.admitted }}名，预备党员转正{{ recruitment.confirmed }}名。"
        "{% else %}" + span + "台账中没有新的发展党员工作记录。{% endif %}"
        "{% if recruitment.pipeline_any %}截至{{ period.snapshot }}，" + who + "有入党申请人"
        "{{ recruitment.pipeline.applicants }}名、入党积极分子{{ recruitment.pipeline.activists }}名、"
        "发展对象{{ recruitment.pipeline.candidates }}名、预备党员{{ recruitment.pipeline.probationary }}名。{% endif %}"
    )


def compliance_table(t: Template) -> None:
    t.p("{{ compliance.summary }}")
    t.table(["项目", "应开（次）", "实开（次）", "落实情况"], "c in compliance.rows",
            ["{{ c.title }}", "{{ c.required }}", "{{ c.held }}", "{{ c.verdict }}"],
            widths=[62, 22, 22, 50], aligns=["left", "right", "right", "left"])


def issues_list(t: Template) -> None:
    """存在的问题: what the branch wrote and what the ledger shows, numbered once."""
    t.each("f in issues", "{{ loop.index }}.{{ f }}")


def annex_tables(t: Template) -> None:
    """The per-branch tables and charts of the committee's report, each an 附件 after the body."""
    def label(n: int, title: str) -> None:
        gongwen.add_attachment_label(t.doc, f"附件{n}")
        t.title(title)

    label(1, "各支部“三会一课”开展情况")
    t.table(["党支部", "党员", "党员大会", "支委会", "党小组会", "党课", "书记讲课", "达标情况"], "r in rows",
            ["{{ r.name }}", "{{ r.members }}", "{{ r.general }}", "{{ r.committee }}", "{{ r.group }}",
             "{{ r.lectures }}", "{{ r.secretary_lectures }}", "{{ r.verdict }}"],
            widths=[38, 12, 20, 16, 20, 12, 20, 18], aligns=["left"] + ["right"] * 6 + ["center"],
            total=["{{ total_row.name }}", "{{ total_row.members }}", "{{ total_row.general }}",
                   "{{ total_row.committee }}", "{{ total_row.group }}", "{{ total_row.lectures }}",
                   "{{ total_row.secretary_lectures }}", "{{ total_row.verdict }}"],
            subtotals="g in groups")
    t.figure("charts.meetings")
    label(2, "各支部组织生活开展情况")
    t.table(["党支部", "主题党日", "组织生活会", "民主评议党员", "谈心谈话（人次）", "合计", "人均（次）"], "r in rows",
            ["{{ r.name }}", "{{ r.theme }}", "{{ r.life_meeting }}", "{{ r.review }}", "{{ r.talk_times }}",
             "{{ r.activities_total }}", "{{ r.per_member }}"],
            widths=[40, 18, 18, 20, 22, 16, 22], aligns=["left"] + ["right"] * 6,
            total=["{{ total_row.name }}", "{{ total_row.theme }}", "{{ total_row.life_meeting }}",
                   "{{ total_row.review }}", "{{ total_row.talk_times }}", "{{ total_row.activities_total }}",
                   "{{ total_row.per_member }}"],
            subtotals="g in groups")
    label(3, "各支部党费收缴情况")
    t.table(["党支部", "应交（元）", "实交（元）", "收缴率", "欠交人数"], "r in rows",
            ["{{ r.name }}", "{{ r.due }}", "{{ r.paid }}", "{{ r.rate }}", "{{ r.arrears }}"],
            widths=[52, 30, 30, 22, 22], aligns=["left", "right", "right", "right", "right"],
            total=["{{ total_row.name }}", "{{ total_row.due }}", "{{ total_row.paid }}", "{{ total_row.rate }}",
                   "{{ total_row.arrears }}"],
            subtotals="g in groups")
    t.figure("charts.dues")
    label(4, "各支部发展党员情况")
    t.table(["党支部", "递交申请书", "确定积极分子", "确定发展对象", "接收预备党员", "预备党员转正"], "r in rows",
            ["{{ r.name }}", "{{ r.applied }}", "{{ r.activists }}", "{{ r.candidates }}", "{{ r.admitted }}",
             "{{ r.confirmed }}"],
            widths=[46, 22, 22, 22, 22, 22], aligns=["left"] + ["right"] * 5,
            total=["{{ total_row.name }}", "{{ total_row.applied }}", "{{ total_row.activists }}",
                   "{{ total_row.candidates }}", "{{ total_row.admitted }}", "{{ total_row.confirmed }}"],
            subtotals="g in groups")
    t.figure("charts.pipeline")


# --- the six templates -----------------------------------------------------------------------
def branch_annual() -> Template:
    t = Template("支部年度工作报告")
    t.title("{{ branch.name }}\n{{ period.label }}工作报告")
    t.p("{{ period.label }}，{{ branch.name }}在{{ org }}的领导下，以习近平新时代中国特色社会主义思想为指导，"
        "认真落实《中国共产党支部工作条例（试行）》和“三会一课”等党内组织生活制度。现将全年工作情况报告如下：")
    t.h1("一、本年度党建工作开展情况")
    t.h2("（一）加强理论学习")
    t.p("全年讲党课{{ meetings.lectures }}次，其中支部书记讲党课{{ meetings.secretary_lectures }}次。"
        "{{ narrative.study }}")
    t.h2("（二）落实“三会一课”制度，严肃组织生活")
    t.p(meetings_sentence("全年") + "{{ narrative.life }}")
    compliance_table(t)
    t.p("全年{{ activities.text }}")
    t.h2("（三）加强党员队伍建设")
    t.p(members_sentence() + "{{ committee_build }}{{ narrative.team }}")
    t.p(recruitment_sentence("全年"))
    t.h2("（四）筑牢廉洁自律思想防线")
    t.p("{{ narrative.clean or '全年台账中没有记录廉政教育和警示教育活动。' }}")
    t.h2("（五）按期足额收缴党费")
    t.p(dues_sentence("全年"))
    t.h2("（六）服务群众和中心工作")
    t.p("{{ narrative.service or '全年台账中没有记录服务群众、结对共建和志愿服务活动。' }}{{ honours }}")
    t.h2("（七）工作亮点和特色做法")
    t.each("para in summary.highlights", "{{ para }}")
    t.h1("二、存在的主要问题")
    issues_list(t)
    t.h1("三、下一步主要工作思路")
    t.each("para in summary.plans", "{% if summary.plans_written %}{{ loop.index }}.{% endif %}{{ para }}")
    t.signature("{{ signer }}", "{{ report_date }}")
    return t


def branch_quarterly() -> Template:
    t = Template("支部季度工作情况报告")
    t.title("{{ branch.name }}\n{{ period.label }}工作情况报告")
    t.p("{{ period.label }}，{{ branch.name }}在{{ org }}的领导下，认真落实“三会一课”等党内组织生活制度。"
        "现将{{ period.quarter }}支部工作情况报告如下：")
    t.h1("一、{{ period.quarter }}主要工作情况")
    t.h2("（一）抓实理论学习")
    t.p("本季度讲党课{{ meetings.lectures }}次，其中书记讲党课{{ meetings.secretary_lectures }}次。"
        "{{ narrative.study }}{{ narrative.clean }}")
    t.h2("（二）严肃组织生活")
    t.p(meetings_sentence("本季度") + "{{ narrative.life }}")
    compliance_table(t)
    t.p("本季度{{ activities.text }}")
    t.h2("（三）党员队伍建设和党费收缴")
    t.p(recruitment_sentence("本季度") + "{{ narrative.team }}")
    t.p(dues_sentence("本季度"))
    t.h2("（四）其他工作")
    t.tag("if narrative.service or honours")
    t.p("{{ narrative.service }}{{ honours }}")
    t.tag("endif")
    t.each("para in quarter.work", "{{ para }}")
    t.tag("if not quarter.work and not narrative.service and not honours")
    t.p("【待补充】")
    t.tag("endif")
    t.h1("二、存在问题及下一步工作计划")
    t.p("存在问题：{{ quarter.issues_text }}")
    t.p("{{ period.next_quarter }}工作计划：下一步对照本季度的不足和支部工作计划，做好以下工作：")
    t.each("item in plan", "{{ loop.index }}.{{ item }}")
    t.tag("if not quarter.plans")
    t.p("其他重点工作：【待补充】")
    t.tag("endif")
    t.signature("{{ signer }}", "{{ report_date }}")
    return t


def branch_term() -> Template:
    t = Template("支部换届工作报告")
    t.title("{{ branch.name }}\n换届工作报告")
    t.p("{{ period.first_year }}年以来，{{ branch.name }}在{{ org }}的领导下，认真落实“三会一课”等党内组织"
        "生活制度，加强党员队伍建设。现将本届支部委员会任期内（{{ period.label }}）的工作情况报告如下，请予审议。")
    t.tag("if missing_years")
    t.p("（说明：{{ missing_years }}的台账未收集，以下数字不含该年度。）")
    t.tag("endif")
    t.h1("一、主要工作和成效")
    t.h2("（一）加强组织建设，建强支部班子")
    t.p(members_sentence() + "{{ period.span }}共收到入党申请书{{ recruitment.applied }}份，确定入党积极分子"
        "{{ recruitment.activists }}名、发展对象{{ recruitment.candidates }}名，接收预备党员{{ recruitment.admitted }}名，"
        "预备党员转正{{ recruitment.confirmed }}名。")
    t.each("para in term.builds", "{{ para }}")
    t.h2("（二）深化理论武装，逐年抓实学习教育")
    t.p("{{ period.span }}共讲党课{{ meetings.lectures }}次，其中支部书记讲党课{{ meetings.secretary_lectures }}次。")
    t.each("para in term.yearly", "{{ para }}")
    t.h2("（三）严肃组织生活，落实“三会一课”")
    t.p(meetings_sentence("{{ period.span }}共"))
    t.table(["年度", "党员大会", "支委会", "党小组会", "党课", "主题党日", "组织生活会", "民主评议", "谈心谈话（人次）"],
            "y in years",
            ["{{ y.year }}", "{{ y.general }}", "{{ y.committee }}", "{{ y.group }}", "{{ y.lectures }}",
             "{{ y.theme }}", "{{ y.life_meeting }}", "{{ y.review }}", "{{ y.talk_times }}"],
            widths=[20, 16, 16, 16, 16, 16, 18, 16, 22], aligns=["center"] + ["right"] * 8,
            total=["{{ term_total.year }}", "{{ term_total.general }}", "{{ term_total.committee }}",
                   "{{ term_total.group }}", "{{ term_total.lectures }}", "{{ term_total.theme }}",
                   "{{ term_total.life_meeting }}", "{{ term_total.review }}", "{{ term_total.talk_times }}"])
    t.p("{{ compliance.summary }}{{ period.span }}共{{ activities.text }}")
    t.h2("（四）按期收缴党费，规范发展党员")
    t.p(dues_sentence("{{ period.span }}共"))
    t.table(["年度", "年底党员（名）", "应交党费（元）", "实交党费（元）", "收缴率", "接收预备党员", "预备党员转正"],
            "y in years",
            ["{{ y.year }}", "{{ y.members }}", "{{ y.due }}", "{{ y.paid }}", "{{ y.rate }}",
             "{{ y.admitted }}", "{{ y.confirmed }}"],
            widths=[17, 30, 26, 26, 17, 20, 20], aligns=["center"] + ["right"] * 6,
            total=["{{ term_total.year }}", "{{ term_total.members }}", "{{ term_total.due }}",
                   "{{ term_total.paid }}", "{{ term_total.rate }}", "{{ term_total.admitted }}",
                   "{{ term_total.confirmed }}"])
    t.h2("（五）任期内的特色亮点")
    t.each("para in term.highlights", "{{ para }}")
    t.tag("if term.honours")
    t.p("{{ term.honours }}")
    t.tag("endif")
    t.tag("if not term.highlights and not term.honours")
    t.p("【待补充】")
    t.tag("endif")
    t.h1("二、存在的不足")
    issues_list(t)
    t.h1("三、对下一届支部委员会的建议")
    t.tag("if term.suggestions")
    t.p("结合本届任期内台账反映的不足，对新一届支部委员会提出以下建议：")
    t.each("s in term.suggestions", "{{ loop.index }}.{{ s }}")
    t.tag("else")
    t.p("本届任期内台账反映的各项组织生活制度均已落实、党费按月交纳，建议新一届支部委员会保持好的做法。"
        "其他建议：【待补充】")
    t.tag("endif")
    t.p("同志们，本届支部委员会任期内取得的成绩，是{{ org }}正确领导和全体党员共同努力的结果。在此，我代表本届"
        "支部委员会，向全体党员同志表示衷心的感谢！希望新一届支部委员会总结经验、巩固成绩，推动支部工作再上新台阶。")
    t.p("以上报告，请各位党员审议。")
    t.signature("{{ signer }}", "{{ report_date }}")
    return t


def secretary() -> Template:
    t = Template("支部书记抓党建工作述职报告")
    t.title("{{ branch.name }}书记\n{{ period.label }}抓党建工作述职报告")
    t.byline("{{ branch.secretary }}")
    t.p("{{ period.label }}，我担任{{ branch.name }}书记，在{{ org }}的领导下，认真履行抓党建工作第一责任人"
        "职责。现将一年来抓党建工作的情况述职如下：")
    t.h1("一、主要工作情况")
    t.h2("（一）履行第一责任人职责，落实“一岗双责”")
    t.each("para in secretary.account", "{{ para }}")
    t.h2("（二）带头讲党课，带领支部抓学习")
    t.p("{{ secretary.lessons_text or '全年台账中没有记录由我讲授的党课。' }}{{ secretary.led_text }}")
    t.h2("（三）主持支部日常工作，关心关爱党员")
    t.p("{{ secretary.hosted_text }}{{ secretary.talks_text }}{{ compliance.summary }}")
    t.h2("（四）支部建设的成效")
    t.p("截至{{ period.snapshot }}，支部有党员{{ members.total }}名。在支委会和全体党员的共同努力下，"
        "{% if dues.any_due %}党费收缴率达到{{ dues.rate }}；{% endif %}"
        "{% if recruitment.any %}全年收到入党申请书{{ recruitment.applied }}份，接收预备党员{{ recruitment.admitted }}名，"
        "预备党员转正{{ recruitment.confirmed }}名；{% endif %}"
        "全年开展组织生活{{ activities.total }}次。")
    t.h1("二、存在的问题")
    t.tag("if secretary.problems")
    t.p("对照抓党建工作职责，我在以下方面还有差距：")
    t.each("f in secretary.problems", "{{ loop.index }}.{{ f }}。")
    t.tag("else")
    t.p("【待补充】")
    t.tag("endif")
    t.h1("三、下步工作打算")
    t.each("f in secretary.plans", "{{ loop.index }}.{{ f }}。")
    t.tag("if not secretary.plans")
    t.p("【待补充】")
    t.tag("endif")
    t.signature("述职人：{{ branch.secretary }}", "{{ report_date }}")
    return t


def committee_annual() -> Template:
    t = Template("党委年度党建工作总结")
    t.title("{{ org }}\n{{ period.label }}党建工作总结及{{ period.next_year }}年工作计划")
    t.p("{{ period.label }}，{{ org }}坚持以习近平新时代中国特色社会主义思想为指导，落实党建工作责任制，"
        "指导所属{{ counts.branches }}个党支部落实“三会一课”等党内组织生活制度，做好党员教育管理、党费收缴和"
        "发展党员等工作。现将全年党建工作情况总结如下：")
    t.h1("一、主要工作成效")
    t.h2("（一）加强党委自身建设")
    t.tag("if not work.recorded")
    t.p("党委会议、理论学习中心组学习、书记讲党课、意识形态研判和制度建设情况：【待补充】")
    t.tag("endif")
    t.tag("if work.text")
    t.p("{{ work.text }}")
    t.tag("endif")
    t.h2("（二）党组织和党员队伍基本情况")
    t.p("{{ org }}下设{% if groups_text %}党总支{{ counts.groups }}个、{% endif %}党支部{{ counts.branches }}个"
        "{% if groups_text %}（其中{{ groups_text }}）{% endif %}，"
        "{{ counts.counted }}个支部的{{ period.label }}台账纳入本总结统计"
        "{% if counts.missing %}（{{ names.missing }}尚未报送）{% endif %}。" + members_sentence("各支部"))
    t.h2("（三）落实“三会一课”制度，严肃组织生活")
    t.p(meetings_sentence("全年各支部共").replace("支部正式党员不足{{ committee_min }}人，不设支部委员会；", "")
        + "全年各支部共{{ activities.text }}"
        "{% if counts.short %}{{ counts.short }}个支部有组织生活未达到规定次数（见“主要存在问题”）。"
        "{% else %}各支部均达到规定的组织生活次数。{% endif %}")
    t.p("按党员人数折算，全年各支部“三会一课”和组织生活人均{{ per_member.activities }}次"
        "{% if names.most_active %}，较多的是{{ names.most_active }}，较少的是{{ names.least_active }}{% endif %}。"
        "各支部的情况见附件1、附件2。")
    t.h2("（四）党费收缴")
    t.p("{% if dues.any_due %}全年各支部应交党费{{ dues.due }}元，实交{{ dues.paid }}元，收缴率{{ dues.rate }}。"
        "{% if dues.arrears_count %}共有{{ dues.arrears_count }}名党员有已到期的月份未交纳党费。"
        "{% else %}党员均按月交纳党费。{% endif %}{% else %}各支部台账中没有党费收缴的记录。{% endif %}"
        "各支部的情况见附件3。")
    t.h2("（五）发展党员")
    t.p(recruitment_sentence("全年各支部共", "各支部共") + "各支部的情况见附件4。")
    t.tag("if round")
    t.h2("（六）台账报送和检查")
    t.p("{{ counts.branches }}个党支部中，按时报送台账{{ counts.on_time }}个，逾期报送{{ counts.late }}个，"
        "未报送{{ counts.missing }}个。经检查，共发现错误{{ counts.errors }}处、警告{{ counts.warnings }}处"
        "{% if counts.needs_fix %}，{{ names.needs_fix }}的台账需修改后重新报送{% endif %}。")
    t.tag("endif")
    t.h2("{% if round %}（七）{% else %}（六）{% endif %}支部特色做法")
    t.tag("if practices")
    t.p("{{ practices_rule }}，介绍其做法：")
    t.each("h in practices", "{{ h.name }}：{{ h.text }}")
    t.tag("else")
    t.p("【待补充】")
    t.tag("endif")
    t.h1("二、主要存在问题")
    t.each("f in findings", "{{ loop.index }}.{{ f }}")
    t.tag("if not findings")
    t.p("从台账反映的情况看，各支部均达到规定的组织生活次数，党费按月交纳。")
    t.tag("endif")
    t.p("其他方面的问题：【待补充】")
    t.h1("三、{{ period.next_year }}年工作计划")
    t.tag("if plans")
    t.p("对照党委年度重点任务，继续抓好以下工作：")
    t.each("item in plans", "{{ loop.index }}.{{ item }}")
    t.p("其他工作计划：【待补充】")
    t.tag("else")
    t.p("【待补充】")
    t.tag("endif")
    t.p("附件：1.各支部“三会一课”开展情况")
    t.p("　　　2.各支部组织生活开展情况")
    t.p("　　　3.各支部党费收缴情况")
    t.p("　　　4.各支部发展党员情况")
    t.signature("{{ signer }}", "{{ report_date }}")
    annex_tables(t)
    return t


def inspection() -> Template:
    t = Template("台账检查情况通报")
    t.title("关于{{ period.label }}党建工作台账\n检查情况的通报")
    t.addressee("各党支部：")
    t.p("根据《关于报送{{ period.label }}党建工作台账的通知》要求，{{ org }}对各党支部报送的{{ period.label }}"
        "党建工作台账进行了检查。现将检查情况通报如下：")
    t.h1("一、报送情况")
    t.p("截至{{ as_of }}，应报送台账的党支部{{ counts.branches }}个，已报送{{ counts.returned }}个，其中按时报送"
        "{{ counts.on_time }}个、逾期报送{{ counts.late }}个；未报送{{ counts.missing }}个。")
    t.p("按时报送的党支部：{{ names.on_time }}。")
    t.p("逾期报送的党支部：{{ names.late }}。")
    t.p("未报送的党支部：{{ names.missing }}。")
    t.table(["序号", "党支部", "报送日期", "是否按时", "错误", "警告"], "r in status_rows",
            ["{{ r.index }}", "{{ r.name }}", "{{ r.returned_at }}", "{{ r.timeliness }}", "{{ r.errors }}",
             "{{ r.warnings }}"],
            widths=[12, 50, 42, 20, 16, 16], aligns=["center", "left", "center", "center", "right", "right"])
    t.h1("二、检查发现的主要问题")
    t.p("经检查，已报送的台账中共发现{{ counts.kinds }}类问题，其中错误{{ counts.errors }}处、警告{{ counts.warnings }}处"
        "{% if counts.needs_fix %}，{{ counts.needs_fix }}个党支部的台账有错误，需修改后重新报送{% endif %}。"
        "{% if rules %}按严重程度排列如下：{% endif %}")
    t.each("r in rules", "{{ loop.index }}.{{ r.title }}（{{ r.severity }}{{ r.count }}处），涉及{{ r.branches }}。")
    t.p("各党支部的主要问题见下表：")
    t.table(["党支部", "错误", "警告", "主要问题"], "r in status_rows",
            ["{{ r.name }}", "{{ r.errors }}", "{{ r.warnings }}", "{{ r.main }}"],
            widths=[44, 14, 14, 84], aligns=["left", "right", "right", "left"])
    t.h1("三、台账反映的工作情况")
    t.p(meetings_sentence("全年各支部共").replace("支部正式党员不足{{ committee_min }}人，不设支部委员会；", "")
        + "{% if counts.short %}{{ names.short }}有组织生活未达到规定次数。{% else %}"
        "已报送的支部均达到规定的组织生活次数。{% endif %}")
    t.figure("charts.meetings")
    t.p("{% if dues.any_due %}各支部应交党费{{ dues.due }}元，实交{{ dues.paid }}元，收缴率{{ dues.rate }}。{% endif %}"
        "{% if dues.arrears_count %}共有{{ dues.arrears_count }}名党员有已到期的月份未交纳党费。{% endif %}")
    t.figure("charts.dues")
    t.figure("charts.pipeline")
    t.h1("四、有关要求")
    t.tag("if counts.missing")
    t.p("（一）请{{ names.missing }}抓紧报送台账。")
    t.tag("endif")
    t.p("{% if counts.missing %}（二）{% else %}（一）{% endif %}台账有问题的党支部，请对照反馈表（表中逐条列明了"
        "问题所在的工作表、行和列及修改方法）逐项核对改正，于{{ resubmit_by }}前重新报送。")
    t.p("{% if counts.missing %}（三）{% else %}（二）{% endif %}各党支部要按月登记“三会一课”、组织生活和党费收缴"
        "情况，做到一事一记、及时准确，确保台账真实、完整、规范。")
    t.p("联系人：{{ contact }}；联系电话：{{ phone }}。")
    t.signature("{{ signer }}", "{{ report_date }}")
    return t


BUILDERS: dict[str, Callable[[], Template]] = {
    "branch-annual": branch_annual,
    "branch-quarterly": branch_quarterly,
    "branch-term": branch_term,
    "secretary": secretary,
    "committee-annual": committee_annual,
    "inspection": inspection,
}


def build(kind_id: str) -> gongwen.Document:
    """The template document of one report kind (by id), not saved."""
    return BUILDERS[kind_id]().doc


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else HERE
    out.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        path = out / kind.template_name
        build(kind.id).save(str(path))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
