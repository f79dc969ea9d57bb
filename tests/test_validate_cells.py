"""The validator as a whole (registry, severities, cap, robustness, the rule table), the cell
checks from the definitions, and the calendar helpers."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from builders import (
    AFTER_YEAR,
    YEAR,
    build,
    clean_year,
    definition,
    meeting,
    member,
    only,
    run,
    settings,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from taizhang import catalog
from taizhang.errors import DefinitionError
from taizhang.party.calendar import (
    add_months,
    age_on,
    months_and_days,
    months_elapsed,
    months_text,
    quarters_elapsed,
    quarters_text,
)
from taizhang.party.dues import money_text
from taizhang.problems import Severity
from taizhang.validate import CHECKS, rules_markdown, validate

# --- the registry ------------------------------------------------------------------------------


def test_every_rule_a_shipped_ledger_lists_has_a_check() -> None:
    listed = {rule_id for led in definition().ledgers for rule_id in led.rules}
    assert listed - set(CHECKS) == set()
    assert set(CHECKS) <= set(catalog.RULES)
    assert len(listed) == 38


def test_a_ledger_listing_a_rule_without_a_check_is_a_definition_error() -> None:
    defn = definition()
    roster = dataclasses.replace(defn.ledger("roster"), rules=("FILE-DUPLICATE",))
    broken = dataclasses.replace(defn, ledgers=(roster,))
    with pytest.raises(DefinitionError, match="FILE-DUPLICATE"):
        validate(build(), broken, settings(), as_of=AFTER_YEAR)


def test_a_clean_year_has_no_problems_at_any_time() -> None:
    ret = build(**clean_year())
    for as_of in (date(2025, 1, 15), date(2025, 4, 1), date(2025, 7, 1), date(2025, 12, 31), AFTER_YEAR):
        assert run(ret, as_of=as_of) == [], as_of


def test_missing_sheets_and_columns_do_not_crash() -> None:
    ids = [led.id for led in definition().ledgers]
    assert run(build(missing=ids)) == []
    data = clean_year()
    drop = {led.id: {col.key for col in led.columns} for led in definition().ledgers}
    problems = run(build(drop=drop, **data))
    # Nothing can be read, so only the yearly and period checks that count rows speak.
    assert {p.rule_id for p in problems} <= {
        "MEET-GM-Q", "MEET-LECTURE-Q", "LIFE-THEME-M", "LIFE-OLM-Y", "LIFE-REVIEW-Y", "LIFE-TALK-Y",
        "CROSS-SECRETARY", "CROSS-ROSTER-DUES", "CROSS-DUES-ROSTER",
    }


_values = st.one_of(
    st.none(), st.text(max_size=4), st.sampled_from(["书记", "正式党员", "预备党员", "转出", "转入", "在职", "农民",
                                                     "支部党员大会", "党课", "主题党日", "王建国、李红", "按季度"]),
    st.integers(-3, 40), st.decimals(min_value=-5, max_value=20000, places=2, allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2027, 12, 31)),
)


@st.composite
def _ledgers(draw: st.DrawFn) -> dict:
    out = {}
    for led in definition().ledgers:
        keys = [col.key for col in led.columns]
        n = draw(st.integers(0, 1 if led.kind == "form" else 4))
        out[led.id] = [draw(st.fixed_dictionaries({}, optional={k: _values for k in keys})) for _ in range(n)]
    return out


@settings_(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ledgers(), st.dates(min_value=date(2024, 6, 1), max_value=date(2026, 6, 1)))
def test_any_values_of_any_type_never_crash(ledgers: dict, as_of: date) -> None:
    problems = run(build(**ledgers), as_of=as_of)
    assert all(p.rule_id in catalog.RULES and p.message for p in problems)


def test_everything_is_found_in_one_pass_and_sorted() -> None:
    data = clean_year()
    data["meetings"] += [
        meeting(date(2025, 5, 5), "支部党员大会", expected=3, present=5),  # row 11: MEET-ATTEND
        meeting(date(2024, 5, 5), "党课", expected=-1),  # row 12: CELL-YEAR, CELL-NEGATIVE
    ]
    problems = run(build(**data))
    assert [(p.rule_id, p.row, p.column_letter) for p in problems] == [
        ("MEET-ATTEND", 11, "I"),
        ("CELL-YEAR", 12, "B"),
        ("CELL-NEGATIVE", 12, "H"),
    ]


# --- severities and the cap -----------------------------------------------------------------


def _year_problem() -> list:
    data = clean_year()
    data["meetings"].append(meeting(date(2024, 5, 5), "党课"))
    return data


def test_severity_override_and_switch_off() -> None:
    ret = build(**_year_problem())
    assert [p.severity for p in only(run(ret), "CELL-YEAR")] == [Severity.ERROR]
    lowered = settings(rules={"severity": {"CELL-YEAR": "提示"}})
    assert [p.severity for p in only(run(ret, cfg=lowered), "CELL-YEAR")] == [Severity.INFO]
    off = settings(rules={"severity": {"CELL-YEAR": "关闭"}})
    assert run(ret, cfg=off) == []


def test_an_override_keeps_a_checks_own_grading() -> None:
    from builders import dues_row

    data = clean_year()
    data["dues"][1] = dues_row("李红", base=4000, due=30, paid={}, note="经上级党委批准少交")
    data["dues"][2] = dues_row("张强", base=4000, due=30, paid={})
    ret = build(**data)

    def rate(cfg):
        return [p.severity for p in only(run(ret, cfg=cfg), "DUES-RATE")]

    assert rate(settings()) == [Severity.WARNING, Severity.ERROR]
    assert rate(settings(rules={"severity": {"DUES-RATE": "错误"}})) == [Severity.WARNING, Severity.ERROR]
    assert rate(settings(rules={"severity": {"DUES-RATE": "警告"}})) == [Severity.INFO, Severity.WARNING]
    assert rate(settings(rules={"severity": {"DUES-RATE": "提示"}})) == [Severity.INFO, Severity.INFO]


def test_the_cap_keeps_the_most_serious_and_says_so() -> None:
    data = clean_year()
    # Three rows with a 提示 each (月应交 above 1000 元) and one 错误 (a date of last year).
    from builders import dues_row

    data["dues"] += [dues_row(n, base=60000, due=1200, total=14400) for n in ("王建国", "李红", "张强")]
    data["meetings"].append(meeting(date(2024, 5, 5), "党课"))
    ret = build(**data)
    everything = run(ret)
    assert len(everything) == 4
    capped = run(ret, cap=2)
    assert len(capped) == 3
    assert capped[-1].rule_id == "PROBLEM-CAP"
    assert capped[-1].message == "共有4条问题，超过2条的上限，只列出最严重的2条。请先改正已列出的问题后重新报送。"
    assert capped[0].rule_id == "CELL-YEAR"  # the 错误 is kept before any 提示
    assert [p.rule_id for p in capped[:2]] == ["CELL-YEAR", "DUES-HIGH"]
    # The default cap comes from the settings; exactly at the cap nothing is added.
    small = settings(collect={"max_problems_per_file": 3})
    assert [p.rule_id for p in run(ret, cfg=small)][-1] == "PROBLEM-CAP"
    assert len(run(ret, cap=4)) == 4


# --- cell checks ---------------------------------------------------------------------------------


def test_required_cell() -> None:
    ret = build(roster=[member("王建国", post="书记", gender=None)])
    [p] = only(run(ret), "CELL-REQUIRED")
    assert (p.sheet, p.row, p.column, p.column_letter, p.severity) == ("党员名册", 3, "性别", "C", Severity.ERROR)
    assert p.message == "“性别”是必填项，不能为空。"
    assert only(run(build(roster=[member("王建国", post="书记")])), "CELL-REQUIRED") == []


def test_required_cell_skips_unreadable_cells_and_missing_columns() -> None:
    unreadable = build(roster=[member("王建国", post="书记", birth_date=None, _invalid={"birth_date"})])
    assert only(run(unreadable), "CELL-REQUIRED") == []
    no_column = build(roster=[member("王建国", post="书记", gender=None)], drop={"roster": {"gender"}})
    assert only(run(no_column), "CELL-REQUIRED") == []


def test_required_form_field() -> None:
    data = clean_year()
    data["summary"] = [{"filler": None, "secretary": "王建国", "filled_date": date(2026, 1, 5)}]
    [p] = run(build(**data))
    assert (p.rule_id, p.sheet, p.row, p.column, p.column_letter) == ("CELL-REQUIRED", "年度小结", None, "填报人", "B")


def test_enum_value_not_in_the_list() -> None:
    ret = build(roster=[member("王建国", post="支部书记")])
    [p] = only(run(ret), "CELL-ENUM")
    assert (p.row, p.column, p.value) == (3, "党内职务", "支部书记")
    assert p.message == ("“支部书记”不是“党内职务”的可选项。请从下拉列表中选择："
                         "书记、副书记、组织委员、宣传委员、纪检委员、其他委员、党员。")
    assert only(run(build(roster=[member("王建国", post="书记")])), "CELL-ENUM") == []


def test_negative_numbers() -> None:
    from builders import dues_row

    ret = build(meetings=[meeting(date(2025, 3, 1), "党课", present=-2, expected=3)],
                dues=[dues_row("王建国", base=-100, due=0, paid={})])
    found = [(p.sheet, p.column, p.value) for p in only(run(ret), "CELL-NEGATIVE")]
    assert found == [("三会一课", "实到人数", "-2"), ("党费收缴", "月计算基数(元)", "-100")]
    zero = build(meetings=[meeting(date(2025, 3, 1), "党课", present=0, expected=0)])
    assert only(run(zero), "CELL-NEGATIVE") == []


def test_absurd_numbers_are_out_of_range() -> None:
    from decimal import Decimal

    from builders import dues_row

    ret = build(meetings=[meeting(date(2025, 3, 1), "党课", present=3, expected=30000)],
                dues=[dues_row("王建国", base=Decimal("4000000"), due=Decimal("40"),
                               paid={4: Decimal("1000000000000"), 5: Decimal("100000")})])
    found = [(p.column, p.value, p.severity.value) for p in only(run(ret), "CELL-RANGE")]
    assert found == [("应到人数", "30000", "错误"), ("月计算基数(元)", "4000000", "错误"),
                     ("4月", "1000000000000", "错误")]  # 100000 is the limit itself: fine
    [april] = [p for p in only(run(ret), "CELL-RANGE") if p.column == "4月"]
    assert april.message == ("“4月”填写的是1000000000000，超出了合理范围（不大于100,000），这个数不计入任何统计。"
                             "请核对是否多输了位数或填错了列。")
    # ... and the cells are out of every figure (issue 13: 1e26 crashed Decimal.quantize)
    dues = ret.rows("dues")[0]
    assert {"base", "m4"} <= dues.invalid and dues.raw["m4"] == "1000000000000"


def test_dates_outside_the_year() -> None:
    ret = build(meetings=[meeting(date(2024, 12, 31), "党课"), meeting(date(2025, 1, 1), "党课"),
                          meeting(date(2026, 1, 1), "党课")])
    problems = only(run(ret), "CELL-YEAR")
    assert [(p.row, p.value) for p in problems] == [(3, "2024-12-31"), (5, "2026-01-01")]
    assert problems[0].message == "日期2024-12-31不在2025年度内。本表只登记2025年的事项，请核对年份。"
    # History dates (入党日期, 出生日期, 填报日期) may lie in other years.
    history = build(roster=[member("王建国", post="书记", join=date(1990, 1, 1))],
                    summary=[{"filler": "李红", "secretary": "王建国", "filled_date": date(2026, 1, 5)}])
    assert only(run(history), "CELL-YEAR") == []


# --- calendar helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize("as_of, months, quarters", [
    (date(2024, 6, 1), 0, 0),
    (date(2025, 1, 1), 0, 0),
    (date(2025, 1, 31), 0, 0),   # January has not ended on its last day
    (date(2025, 2, 1), 1, 0),
    (date(2025, 3, 31), 2, 0),
    (date(2025, 4, 1), 3, 1),
    (date(2025, 7, 1), 6, 2),
    (date(2025, 12, 31), 11, 3),
    (date(2026, 1, 1), 12, 4),
    (date(2030, 5, 5), 12, 4),
])
def test_elapsed_months_and_quarters(as_of: date, months: int, quarters: int) -> None:
    assert months_elapsed(YEAR, as_of) == months
    assert quarters_elapsed(YEAR, as_of) == quarters


@pytest.mark.parametrize("day, n, expected", [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),
    (date(2025, 3, 15), -3, date(2024, 12, 15)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
])
def test_add_months_clamps_the_day(day: date, n: int, expected: date) -> None:
    assert add_months(day, n) == expected


def test_age_months_and_labels() -> None:
    assert age_on(date(2007, 3, 1), date(2025, 3, 1)) == 18
    assert age_on(date(2007, 3, 1), date(2025, 2, 28)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17  # reached on 1 March in a common year
    assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18
    assert age_on(date(2004, 2, 29), date(2024, 2, 29)) == 20
    assert months_and_days(date(2025, 1, 10), date(2025, 7, 9)) == (5, 29)
    assert months_and_days(date(2025, 1, 31), date(2025, 2, 28)) == (1, 0)
    assert months_text([1, 3, 4, 5, 12]) == "1月、3—5月、12月"
    assert quarters_text([2, 3]) == "第二、三季度"
    assert quarters_text([4]) == "第四季度"
    assert [money_text(Decimal(x)) for x in ("40.00", "0.20", "12.35", "3000.005", "1E+3")] == [
        "40", "0.2", "12.35", "3000.005", "1000"]


# --- the README's rule table --------------------------------------------------------------------


def test_rules_markdown_lists_every_rule_once_grouped_by_scope() -> None:
    text = rules_markdown()
    for rule_id in catalog.RULES:
        assert text.count(f"| {rule_id} |") == 1, rule_id
    assert "| DUES-RATE | 月应交与标准不符 | 错误（少交而备注中已说明的为警告，多交为提示） |" in text
    assert "| MEET-GM-Q | 支部党员大会次数不足 | 警告 | 《中国共产党支部工作条例（试行）》（2018）第十二条 |" in text
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings[0] == "### 文件和身份"
    assert "### 跨表核对" in headings and "### 全年次数（截至收集日已结束的月份、季度）" in headings
    assert text.index("### 单元格") < text.index("### 每一行") < text.index("### 跨表核对")
    assert text.endswith("|\n")
