"""Word reports: every kind for the demo workspace, read back; the sentences state the statistics
module's figures, for a year, a quarter and a term."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from conftest import DEMO_AS_OF as AS_OF
from conftest import make_workspace
from test_consolidate import store_returns
from test_statistics import (
    return_001_2023,
    return_001_2024,
    return_001_2025,
    return_002_2024,
    return_002_2025,
)

from taizhang import gongwen
from taizhang.consolidate import figures
from taizhang.party.periods import Period
from taizhang.reports.context import TO_BE_FILLED, money, percent
from taizhang.reports.generate import generate, generate_all, load_inputs
from taizhang.reports.kinds import KINDS, find_kind
from taizhang.reports.words import unnumbered

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def year_stats(demo_ws):
    return figures(demo_ws, Period.year(2025), as_of=AS_OF)


def text_of(path: Path | str) -> str:
    """Every paragraph and table cell of a document, one per line."""
    d = docx.Document(str(path))
    lines = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            lines.append(" | ".join(c.text for c in row.cells))
    return "\n".join(lines)


def table_rows(path: Path | str, first_header: str) -> list[list[str]]:
    """The rows (header first) of the first table whose first header cell is `first_header`."""
    d = docx.Document(str(path))
    for t in d.tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table starting with {first_header}")


def one(run) -> str:
    assert len(run.written) == 1, run.written
    return run.written[0].path


# --- branch reports --------------------------------------------------------------------------
def test_annual_report_sentences_state_the_figures(demo_ws, year_stats) -> None:
    for code in ("001", "006", "008"):
        b = year_stats.branch(code)
        path = one(generate(demo_ws, "支部年度工作报告", branches=[code], as_of=AS_OF))
        text = text_of(path)
        m, me, d, r = b.membership, b.meetings, b.dues, b.recruitment
        assert f"{b.name}\n2025年工作报告" in text
        assert f"支部共有党员{m.total}名，其中正式党员{m.full}名、预备党员{m.probationary}名" in text
        assert f"男党员{m.by_gender['男']}名、女党员{m.by_gender['女']}名" in text
        assert f"全年召开支部党员大会{me.general}次" in text
        assert f"讲党课{me.lectures}次，其中支部书记讲党课{me.secretary_lectures}次" in text
        if b.rule("MEET-CMTE-M").applies:
            assert f"召开支委会{me.committee}次，研究议题{me.committee_topics}个" in text
        else:
            assert "不设支部委员会" in text and "召开支委会" not in text
        assert f"应交党费{money(d.due)}元，实交{money(d.paid)}元，收缴率{percent(d.rate)}" in text
        assert f"接收预备党员{r.admitted}名，预备党员转正{r.confirmed}名" in text
        assert f"全年开展主题党日{b.activities.by_type['主题党日']}次" in text
        # The compliance table: one row per frequency rule, required and held as computed.
        rows = table_rows(path, "项目")
        by_title = {row[0]: row for row in rows[1:]}
        for c in b.compliance:
            row = by_title[c.title]
            if c.applies:
                assert row[1:3] == [str(c.required), str(c.held)]
                assert row[3].startswith("达标" if c.met else "未达标")
            else:
                assert row[3].startswith("不适用")


def test_money_is_written_without_separators_and_rates_with_one_decimal(demo_ws, year_stats) -> None:
    big = max(year_stats.returned, key=lambda b: b.dues.due)
    assert big.dues.due >= 1000
    text = text_of(one(generate(demo_ws, "年度", branches=[big.code], as_of=AS_OF)))
    assert re.search(r"应交党费\d{4,}\.\d{2}元", text)
    assert not re.search(r"\d,\d{3}", text)
    rates = re.findall(r"(\d+(?:\.\d+)?)%", text)
    assert rates and all(re.fullmatch(r"\d+\.\d", r) for r in rates)


def test_narrative_comes_from_the_summary_sheet(demo_ws) -> None:
    inputs = load_inputs(demo_ws, Period.year(2025), as_of=AS_OF)
    form = inputs.returns["001"][2025].form("summary")
    text = text_of(one(generate(demo_ws, "年度", branches=["001"], as_of=AS_OF, inputs=inputs)))
    for key in ("highlights", "problems", "plans"):
        for line in str(form[key]).splitlines():
            assert unnumbered(line) in text
    assert TO_BE_FILLED not in text


def with_rule(ws, rule_id: str, year: int = 2025) -> str:
    """The code of the demo branch whose current return has a problem of `rule_id` (planted)."""
    from taizhang.workspace.store import Store

    with Store.open(ws.store_path) as store:
        return next(code for code, sub in sorted(store.current(year).items())
                    if any(p.rule_id == rule_id for p in store.problems(sub.id)))


def test_shortfalls_and_errors_are_stated_as_findings(demo_ws, year_stats) -> None:
    lazy = year_stats.branch("005")  # the demo's branch that is behind with its meetings
    assert lazy.short
    text = text_of(one(generate(demo_ws, "年度", branches=["005"], as_of=AS_OF)))
    problems = text.split("二、存在的主要问题")[1].split("三、")[0]
    for c in lazy.short:
        assert c.title.split("（")[0] in problems
        assert f"应达到{c.required}次，实际{c.held}次" in text or c.rule_id == "MEET-LECTURE-SEC"
    quorum = text_of(one(generate(demo_ws, "年度", branches=[with_rule(demo_ws, "MEET-QUORUM")], as_of=AS_OF)))
    assert re.search(r"台账填报：检查发现\d+处错误", quorum)


def test_a_branch_that_wrote_no_summary_gets_placeholders_not_invented_text(tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws")
    ret = return_001_2025()
    ret.ledgers.pop("summary", None)
    store_returns(ws, [(ret, "2026-01-05T10:00:00", [])])
    text = text_of(one(generate(ws, "年度", branches=["001"], as_of=date(2026, 1, 10))))
    sections = text.split("二、存在的主要问题")
    assert sections[0].split("（七）工作亮点和特色做法")[1].strip().startswith(TO_BE_FILLED)
    assert sections[1].split("三、下一步主要工作思路")[1].strip().startswith(TO_BE_FILLED)
    assert "1.【待补充】" not in text


def test_quarterly_report_covers_the_quarter_and_plans_the_next(demo_ws) -> None:
    q3 = Period.quarter(2025, 3)
    stats = figures(demo_ws, q3, as_of=AS_OF)
    b = stats.branch("001")
    path = one(generate(demo_ws, "季度", branches=["001"], period=q3, as_of=AS_OF))
    text = text_of(path)
    assert f"{b.name}\n2025年第三季度工作情况报告" in text
    assert "一、第三季度主要工作情况" in text
    assert f"本季度召开支部党员大会{b.meetings.general}次" in text
    assert f"召开支委会{b.meetings.committee}次" in text
    assert f"本季度应交党费{money(b.dues.due)}元，实交{money(b.dues.paid)}元" in text
    assert "第四季度工作计划：" in text
    assert "支部党员大会至少1次" in text and "支委会至少3次" in text
    assert "组织生活会" in text.split("第四季度工作计划")[1]  # the year's end is in the next quarter
    rows = table_rows(path, "项目")
    assert rows[1][0].startswith("支部党员大会")
    theme = next(r for r in rows if r[0].startswith("主题党日"))
    assert theme[1] == "3"  # three months of the quarter


def test_term_report_covers_each_year_and_the_total(tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws")
    store_returns(ws, [(return_001_2023(), "2024-01-05T10:00:00", []),
                       (return_001_2024(), "2025-01-05T10:00:00", []),
                       (return_001_2025(), "2026-01-05T10:00:00", []),
                       (return_002_2024(), "2025-01-06T10:00:00", []),
                       (return_002_2025(), "2026-01-06T10:00:00", [])])
    term = Period.years_between(2023, 2025)
    as_of = date(2026, 1, 10)
    stats = figures(ws, term, as_of=as_of)
    path = one(generate(ws, "换届", branches=["001"], period=term, as_of=as_of))
    text = text_of(path)
    b = stats.branch("001")
    assert "2023年以来" in text and "（2023—2025年）" in text
    assert f"三年来共召开支部党员大会{b.meetings.general}次" in text
    assert f"三年来共应交党费{money(b.dues.due)}元，实交{money(b.dues.paid)}元" in text
    rows = table_rows(path, "年度")
    assert [r[0] for r in rows] == ["年度", "2023年", "2024年", "2025年", "合计"]
    for row in rows[1:4]:
        y = stats.per_year[int(row[0][:4])].branch("001")
        assert row[1] == str(y.meetings.general)
        assert row[5] == str(y.activities.by_type["主题党日"])
    assert rows[4][1] == str(b.meetings.general)
    assert sum(int(r[1]) for r in rows[1:4]) == int(rows[4][1])
    money_rows = [r for r in [row for t in docx.Document(path).tables for row in t.rows]]
    assert any(c.text == money(stats.per_year[2024].branch("001").dues.paid) for row in money_rows for c in row.cells)
    # 002 returned only 2024 and 2025: the report says which year is missing.
    other = text_of(one(generate(ws, "换届", branches=["002"], period=term, as_of=as_of)))
    assert "2023年的台账未收集" in other


def test_secretary_report_names_the_secretary(demo_ws, year_stats) -> None:
    b = year_stats.branch("001")
    inputs = load_inputs(demo_ws, Period.year(2025), as_of=AS_OF)
    secretary = inputs.returns["001"][2025].form("summary")["secretary"]
    path = one(generate(demo_ws, "述职", branches=["001"], as_of=AS_OF, inputs=inputs))
    d = docx.Document(path)
    assert d.paragraphs[1].style.name == gongwen.STYLE_BYLINE and d.paragraphs[1].text == secretary
    text = text_of(path)
    assert f"我担任{b.name}书记" in text
    assert f"我为支部党员讲党课{b.meetings.secretary_lectures}次" in text
    assert f"述职人：{secretary}" in text


def test_branches_without_a_return_are_skipped_and_said(demo_ws, year_stats) -> None:
    run = generate(demo_ws, "年度", as_of=AS_OF)
    returned = {b.code for b in year_stats.returned}
    assert {w.branch_code for w in run.written} == returned
    assert run.skipped and all(s["reason"] == "未报送2025年的台账" for s in run.skipped)
    assert {s["code"] for s in run.skipped} == {b.code for b in year_stats.per_branch} - returned


# --- committee reports -------------------------------------------------------------------------
def test_committee_report_totals_tables_and_charts(demo_ws, year_stats) -> None:
    path = one(generate(demo_ws, "党委年度党建工作总结", as_of=AS_OF))
    assert Path(path).name == "2025年党委年度党建工作总结.docx"
    text = text_of(path)
    t = year_stats.total
    assert "2025年党建工作总结及2026年工作计划" in text
    groups = [g for g in year_stats.groups if g.depth == 0]
    assert len(groups) == 2  # the demo's two 党总支, whose branches came in their roll-ups
    assert (f"下设党总支2个、党支部{len(year_stats.per_branch)}个（其中{groups[0].name}所属3个、"
            f"{groups[1].name}所属3个），{len(year_stats.returned)}个支部的2025年台账纳入本总结统计") in text
    assert f"各支部共有党员{t.membership.total}名" in text
    assert f"全年各支部共召开支部党员大会{t.meetings.general}次" in text
    assert f"全年各支部应交党费{money(t.dues.due)}元，实交{money(t.dues.paid)}元，收缴率{percent(t.dues.rate)}" in text
    rows = table_rows(path, "党支部")  # the first per-branch table: 三会一课
    assert rows[0] == ["党支部", "党员", "党员大会", "支委会", "党小组会", "党课", "书记讲课", "达标情况"]
    body = {r[0]: r for r in rows[1:]}
    for b in year_stats.per_branch:
        row = body[b.name]
        if b.returned:
            assert row[1] == str(b.membership.total) and row[2] == str(b.meetings.general)
            assert row[7] == ("达标" if not b.short else f"{len(b.short)}项未达标")
        else:
            assert row[1] == "未报送"
    assert body["合计"][2] == str(t.meetings.general)
    branch_rows = [r for r in rows[1:] if r[0] in {b.name for b in year_stats.per_branch}]
    assert len(branch_rows) == len(year_stats.per_branch)
    assert sum(int(r[2]) for r in branch_rows if r[2].isdigit()) == t.meetings.general
    # Under 合计, one 其中 row per 党总支 with the sum of its branches.
    for g in groups:
        sub = body[f"其中：{g.name}"]
        assert sub[2] == str(sum(year_stats.branch(c).meetings.general for c in g.branches))
    # The branches that fell short are named under 主要存在问题.
    problems = text.split("二、主要存在问题")[1].split("三、2026年工作计划")[0]
    for b in year_stats.short_branches():
        assert b.name in problems
    pictures = docx.Document(path).inline_shapes
    assert len(pictures) == 3


def test_a_report_for_one_unit_of_the_tree(demo_ws) -> None:
    unit = next(g for g in figures(demo_ws, Period.year(2025), as_of=AS_OF).groups if g.depth == 0)
    stats = figures(demo_ws, Period.year(2025), as_of=AS_OF, unit=unit.code)
    path = one(generate(demo_ws, "总结", unit=unit.code, as_of=AS_OF))
    assert Path(path).name == f"{unit.name}_2025年党委年度党建工作总结.docx"
    text = text_of(path)
    assert text.startswith(f"{unit.name}\n2025年党建工作总结")
    assert f"下设党支部{len(unit.branches)}个，{len(unit.branches)}个支部的2025年台账纳入本总结统计" in text
    assert f"全年各支部共召开支部党员大会{stats.total.meetings.general}次" in text
    rows = table_rows(path, "党支部")
    assert [r[0] for r in rows[1:-1]] == [stats.branch(c).name for c in unit.branches]
    run = generate(demo_ws, "年度", unit=unit.code, as_of=AS_OF)
    assert [w.branch_code for w in run.written] == unit.branches
    # A branch under a 党总支 reports to it.
    assert f"在{unit.name}的领导下" in text_of(run.written[0].path)


def test_inspection_notice_lists_on_time_late_missing_and_problems(demo_ws, year_stats) -> None:
    path = one(generate(demo_ws, "通报", as_of=AS_OF))
    text = text_of(path)
    assert "关于2025年党建工作台账" in text and "检查情况的通报" in text
    states = {b.code: b.status for b in year_stats.per_branch}
    late = [b.name for b in year_stats.per_branch if states[b.code].on_time is False]
    missing = [b.name for b in year_stats.per_branch if states[b.code].state == "未报送"]
    on_time = [b.name for b in year_stats.per_branch if states[b.code].on_time is True]
    assert late and missing
    assert f"逾期报送的党支部：{'、'.join(late)}。" in text
    assert f"未报送的党支部：{'、'.join(missing)}。" in text
    assert f"按时报送的党支部：{'、'.join(on_time)}。" in text
    assert f"请{'、'.join(missing)}抓紧报送台账" in text
    rows = table_rows(path, "序号")
    assert len(rows) == len(year_stats.per_branch) + 1
    problem_rows = {r[0]: r for r in table_rows(path, "党支部")[1:]}
    code = with_rule(demo_ws, "MEET-QUORUM")
    quorum = problem_rows[year_stats.branch(code).name]
    assert int(quorum[1]) == states[code].errors and "党员大会不足法定人数1处" in quorum[3]
    assert problem_rows[missing[0]][3] == "尚未报送台账"


def test_every_kind_for_every_branch_from_generate_all(demo_ws, year_stats) -> None:
    paths = generate_all(demo_ws, as_of=AS_OF)
    branch_kinds = [k for k in KINDS if k.scope == "branch"]
    term = figures(demo_ws, Period.years_between(2023, 2025), as_of=AS_OF)  # the demo's three years
    assert len(paths) == (len(branch_kinds) - 1) * len(year_stats.returned) + len(term.returned) + 2
    for p in paths:
        d = docx.Document(str(p))
        assert d.paragraphs[0].style.name == gongwen.STYLE_TITLE
        assert "{{" not in text_of(p) and "{%" not in text_of(p)


# --- format ------------------------------------------------------------------------------------
def test_reports_keep_the_gongwen_format(demo_ws) -> None:
    path = one(generate(demo_ws, "年度", branches=["001"], as_of=AS_OF))
    d = docx.Document(path)
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert (round(s.top_margin.mm), round(s.left_margin.mm)) == (37, 28)
    styles = {p.style.name for p in d.paragraphs}
    assert {gongwen.STYLE_TITLE, gongwen.STYLE_HEADINGS[1], gongwen.STYLE_HEADINGS[2], gongwen.STYLE_BODY,
            gongwen.STYLE_SIGNATURE} <= styles
    fonts = {name: d.styles[name].element.rPr.find(f"{W}rFonts").get(f"{W}eastAsia")
             for name in (gongwen.STYLE_TITLE, gongwen.STYLE_HEADINGS[1], gongwen.STYLE_HEADINGS[2])}
    assert fonts == {gongwen.STYLE_TITLE: "方正小标宋简体", gongwen.STYLE_HEADINGS[1]: "黑体",
                     gongwen.STYLE_HEADINGS[2]: "楷体_GB2312"}
    footer = s.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    sig = [p for p in d.paragraphs if p.style.name == gongwen.STYLE_SIGNATURE]
    # the registered name's default: 中共<单位><支部名称，党支部→支部>委员会
    assert [p.text for p in sig] == ["中共青禾市交通运输局机关第一支部委员会", "2026年1月20日"]
    ind = [int(p._p.pPr.find(f"{W}ind").get(f"{W}rightChars")) for p in sig]
    # The body is 19 characters wide, 2 in from the right; the date (6.5 characters: digits are half
    # width) starts 2 characters right of the body's start: 2 + 19 - 2 - 6.5 = 12.5 characters in.
    assert ind == [200, 1250]


def test_text_from_a_branch_is_never_markup(tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws")
    ret = return_001_2025()
    ret.ledgers["summary"].rows[0].values["highlights"] = (
        "<w:p>&amp; 加强学习{{ org }}{% if 1 %}x{% endif %}\x0b\x07\n第二段\x0c")
    store_returns(ws, [(ret, "2026-01-05T10:00:00", [])])
    path = one(generate(ws, "年度", branches=["001"], as_of=date(2026, 1, 10)))
    text = text_of(path)
    assert "<w:p>&amp; 加强学习{{ org }}{% if 1 %}x{% endif %}" in text
    assert "第二段" in text and "\x0b" not in text and "\x0c" not in text


def test_kinds_are_found_by_name_alias_and_id() -> None:
    assert find_kind("季度").name == "支部季度工作情况报告"
    assert find_kind("党委年度党建工作总结.docx").id == "committee-annual"
    assert find_kind("inspection").name == "台账检查情况通报"
    with pytest.raises(Exception, match="可以生成的报告有"):
        find_kind("月报")


def test_default_periods() -> None:
    assert find_kind("季度").default_period(2025, date(2026, 1, 20)).label == "2025年第四季度"
    assert find_kind("季度").default_period(2025, date(2025, 8, 1)).label == "2025年第二季度"
    assert find_kind("季度").default_period(2025, date(2025, 2, 1)).label == "2025年第一季度"
    assert find_kind("换届").default_period(2025, date(2026, 1, 1)).label == "2023—2025年"
    assert find_kind("总结").default_period(2025, date(2026, 1, 1)).label == "2025年"


def test_rates_and_money_helpers() -> None:
    assert money(Decimal("3456.5")) == "3456.50"  # body text: no thousands separators
    assert money(None) == "0.00"


def test_charts_of_a_large_committee_show_the_lowest_branches(demo_ws, monkeypatch) -> None:
    from taizhang.reports import committee as context

    monkeypatch.setattr(context, "CHART_ALL_UP_TO", 5)
    monkeypatch.setattr(context, "CHART_LOWEST", 3)
    stats = figures(demo_ws, Period.year(2025), as_of=AS_OF)
    labels, values, which = context._bars(stats, lambda b: b.meetings.total)
    ranked = sorted(b.meetings.total for b in stats.returned)
    assert values == ranked[:3] and len(labels) == 3
    assert which == f"{len(stats.per_branch)}个支部中最低的3个支部"
    chart = context._chart_meetings(stats)
    assert chart.title.startswith(f"2025年{which}") and chart.png[:4] == b"\x89PNG"
