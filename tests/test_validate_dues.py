"""党费: the amount due (brackets, fixed amounts, rounding) and the months paid."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from builders import AFTER_YEAR, build, dues_row, member, only, run, settings
from hypothesis import given
from hypothesis import strategies as st

from taizhang.party.dues import expected_monthly_due
from taizhang.problems import Severity

D = Decimal
DEFAULT = settings()
TO_JIAO = settings(dues={"rounding": "0.1"})
JULY = date(2025, 7, 1)  # January to June have passed


def due(category: str, base: str | None, cfg=DEFAULT):
    return expected_monthly_due(category, None if base is None else D(base), cfg)


# --- expected_monthly_due ----------------------------------------------------------------------


@pytest.mark.parametrize("category, base, amount", [
    ("在职", "3000", "15.00"),       # 0.5%: the boundary belongs to the lower bracket
    ("在职", "3000.01", "30.00"),    # 1% of the whole base: 30.0001
    ("在职", "5000", "50.00"),
    ("在职", "5000.01", "75.00"),    # 1.5%: 75.00015
    ("在职", "10000", "150.00"),
    ("在职", "10000.01", "200.00"),  # 2%: 200.0002
    ("在职", "0", "0.00"),
    ("离退休", "5000", "25.00"),
    ("离退休", "5000.01", "50.00"),  # 1%: 50.0001
    ("其他", "4000", "40.00"),       # 其他 is computed as 在职 by default
])
def test_brackets(category: str, base: str, amount: str) -> None:
    assert due(category, base) == (D(amount), D(amount))


def test_fixed_amounts() -> None:
    assert due("学生", "0") == (D("0.20"), D("0.20"))
    assert due("下岗失业", None) == (D("0.20"), D("0.20"))
    assert due("农民", "0") == (D("0.20"), D("1.00"))


def test_what_cannot_be_checked() -> None:
    assert due("", "4000") is None
    assert due("在职", None) is None
    assert due("在职", "-1") is None
    assert due("在职", "1e40") is None
    assert due("其他", "4000", settings(dues={"other_category": "fixed_any"})) is None


def test_rounding_half_up_to_fen_and_to_jiao() -> None:
    assert due("在职", "1001") == (D("5.01"), D("5.01"))        # 5.005: half up, not to even
    assert due("在职", "3333.33") == (D("33.33"), D("33.33"))   # 33.3333
    assert due("在职", "2970") == (D("14.85"), D("14.85"))
    assert due("在职", "1001", TO_JIAO) == (D("5.00"), D("5.00"))
    assert due("在职", "2970", TO_JIAO) == (D("14.90"), D("14.90"))  # 14.85 half up to 角
    assert due("在职", "3333.33", TO_JIAO) == (D("33.30"), D("33.30"))


def _rate(category: str, base: Decimal) -> Decimal:
    """The official rates, written out by hand."""
    if category == "在职":
        return D("0.005") if base <= 3000 else D("0.01") if base <= 5000 else D("0.015") if base <= 10000 else D("0.02")
    return D("0.005") if base <= 5000 else D("0.01")


bases = st.decimals(min_value=0, max_value=200000, places=2, allow_nan=False, allow_infinity=False)
categories = st.sampled_from(["在职", "离退休"])


@given(categories, bases, bases)
def test_monotone_in_the_base(category: str, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert expected_monthly_due(category, low, DEFAULT)[0] <= expected_monthly_due(category, high, DEFAULT)[0]


@given(categories, bases)
def test_the_rate_applies_to_the_whole_base(category: str, base: Decimal) -> None:
    amount, same = expected_monthly_due(category, base, DEFAULT)
    assert amount == same
    assert amount == (base * _rate(category, base)).quantize(D("0.01"), ROUND_HALF_UP)
    assert -amount.as_tuple().exponent <= 2


@given(categories, bases)
def test_to_jiao_gives_whole_jiao(category: str, base: Decimal) -> None:
    amount = expected_monthly_due(category, base, TO_JIAO)[0]
    assert (amount * 10) == (amount * 10).to_integral_value()
    assert abs(amount - base * _rate(category, base)) <= D("0.05")


@pytest.mark.parametrize("table", ["working", "retired"])
def test_each_boundary_belongs_to_the_lower_bracket(table: str) -> None:
    category = {"working": "在职", "retired": "离退休"}[table]
    brackets = DEFAULT.dues[table]
    for (upper, rate), (_, next_rate) in itertools.pairwise(brackets):
        assert due(category, str(upper))[0] == (upper * rate).quantize(D("0.01"), ROUND_HALF_UP)
        above = upper + D("0.01")
        assert due(category, str(above))[0] == (above * next_rate).quantize(D("0.01"), ROUND_HALF_UP)


# --- DUES-RATE ---------------------------------------------------------------------------------


def rate_problems(*rows, cfg=DEFAULT):
    return only(run(build(dues=list(rows)), as_of=date(2025, 1, 1), cfg=cfg), "DUES-RATE")


def test_rate_right_amount_passes() -> None:
    assert rate_problems(dues_row("王建国", base=4000, due=40), dues_row("赵红", base=3000, due=15)) == []


def test_rate_lower_without_a_note_is_an_error() -> None:
    [p] = rate_problems(dues_row("王建国", base=4000, due=35))
    assert (p.severity, p.row, p.column, p.column_letter, p.value) == (Severity.ERROR, 3, "月应交(元)", "F", "35")
    assert p.message == ("在职党员月计算基数4000元，按规定月应交40元，台账填写35元。"
                         "在职党员月计算基数3000元以上至5000元（含）的，按1%交纳。"
                         "请改为40元；如经支部研究、上级党委批准少交，请在备注中写明。")


def test_rate_lower_with_a_note_is_a_warning() -> None:
    [p] = rate_problems(dues_row("王建国", base=4000, due=20, note="生活困难，经上级党委批准减半交纳"))
    assert p.severity is Severity.WARNING
    assert "备注中已作说明" in p.message and "可不修改" in p.message


def test_rate_higher_is_allowed_and_only_noted() -> None:
    [p] = rate_problems(dues_row("王建国", base=4000, due=45))
    assert p.severity is Severity.INFO
    assert "自愿多交的可不修改" in p.message


def test_rate_at_the_bracket_boundaries() -> None:
    wrong = rate_problems(
        dues_row("甲", base="3000.01", due=15),     # should be 30 (1%), not 15 (0.5%)
        dues_row("乙", base="5000.01", due=50),     # should be 75
        dues_row("丙", base="10000.01", due=150),   # should be 200
        dues_row("丁", base="5000.01", due=25, category="离退休"),  # should be 50
    )
    assert [(p.row, p.severity) for p in wrong] == [(3, Severity.ERROR), (4, Severity.ERROR), (5, Severity.ERROR),
                                                   (6, Severity.ERROR)]
    assert "超过10000元的，按2%交纳" in wrong[2].message
    assert "离退休党员月计算基数超过5000元的，按1%交纳" in wrong[3].message
    right = rate_problems(dues_row("甲", base=3000, due=15), dues_row("乙", base=5000, due=50),
                          dues_row("丙", base=10000, due=150), dues_row("丁", base=5000, due=25, category="离退休"))
    assert right == []


def test_rate_fixed_categories() -> None:
    assert rate_problems(dues_row("甲", base=0, due="0.2", category="学生"),
                         dues_row("乙", base=0, due="0.2", category="下岗失业"),
                         dues_row("丙", base=0, due="0.5", category="农民"),
                         dues_row("丁", base=0, due="1", category="农民")) == []
    problems = rate_problems(dues_row("甲", base=0, due="0.1", category="下岗失业"),
                             dues_row("乙", base=0, due="0.1", category="农民"),
                             dues_row("丙", base=0, due="1.5", category="农民"))
    assert [p.severity for p in problems] == [Severity.ERROR, Severity.ERROR, Severity.INFO]
    assert problems[1].message.startswith("农民党员月计算基数0元，按规定月应交0.2至1元，台账填写0.1元。农民党员每月交纳0.2至1元。")


def test_rate_with_rounding_to_jiao() -> None:
    row = dues_row("王建国", base=2970, due="14.85")
    assert rate_problems(row) == []
    [p] = rate_problems(row, cfg=TO_JIAO)
    assert "按规定月应交14.9元，台账填写14.85元" in p.message


# --- DUES-HIGH, DUES-TOTAL ------------------------------------------------------------------


def test_high_monthly_amount() -> None:
    ret = build(dues=[dues_row("甲", base=50000, due=1000), dues_row("乙", base="50000.50", due="1000.01")])
    [p] = only(run(ret), "DUES-HIGH")
    assert (p.row, p.severity) == (4, Severity.INFO)
    assert p.message == "月应交1000.01元，超过1000元，请核对月计算基数是否只含固定工资部分。"


def test_total_against_the_months() -> None:
    ret = build(dues=[dues_row("甲", total=480), dues_row("乙", total=400), dues_row("丙"),
                      dues_row("丁", total=400, m5=None, _invalid={"m5"})])
    [p] = only(run(ret), "DUES-TOTAL")
    assert (p.row, p.column, p.severity) == (4, "全年实交(元)", Severity.WARNING)
    assert p.message == "全年实交填写400元，但1至12月合计为480元。请改为480元或恢复合计公式。"


# --- months paid ----------------------------------------------------------------------------------


def paid(*months: int, amount: int = 40) -> dict[int, int]:
    return {m: amount for m in months}


def month_problems(rows, roster=None, as_of=JULY, cfg=DEFAULT):
    ret = build(dues=rows, roster=roster or [])
    return [(p.rule_id, p.row, p.column, p.severity, p.message)
            for p in only(run(ret, as_of=as_of, cfg=cfg), "DUES-UNPAID", "DUES-6M", "DUES-UNDERPAID")]


UNPAID_TAIL = "已过，没有交纳党费的记录。如已补交，请填写补交金额；按季度交纳的请在备注中说明。"


def test_one_unpaid_month() -> None:
    assert month_problems([dues_row("甲", paid=paid(1, 2, 4, 5, 6))]) == [
        ("DUES-UNPAID", 3, "3月", Severity.WARNING, "3月" + UNPAID_TAIL)]
    assert month_problems([dues_row("甲", paid=paid(1, 2, 3, 4, 5, 6))]) == []


def test_unpaid_months_are_one_problem_per_row() -> None:
    assert month_problems([dues_row("甲", paid=paid(1, 3, 5, 6))]) == [
        ("DUES-UNPAID", 3, "2月", Severity.WARNING, "2月、4月" + UNPAID_TAIL)]


def test_months_not_yet_passed_are_not_owed() -> None:
    # 1 July: June has passed, July has not.
    assert month_problems([dues_row("甲", paid=paid(1, 2, 3, 4, 5, 6))], as_of=date(2025, 7, 31)) == []
    assert month_problems([dues_row("甲", paid=paid(1, 2, 3, 4, 5))], as_of=date(2025, 6, 30)) == []


def test_six_unpaid_months_in_a_row_is_an_error() -> None:
    assert month_problems([dues_row("王建国", paid={})]) == [
        ("DUES-6M", 3, "1月", Severity.ERROR,
         ("王建国从1月到6月连续6个月未交党费。按规定，无正当理由连续6个月不交纳党费的，视为自行脱党，"
         "支部须作出处理并在备注中写明。"))]


def test_five_unpaid_months_in_a_row_are_only_unpaid() -> None:
    assert month_problems([dues_row("王建国", paid=paid(6))]) == [
        ("DUES-UNPAID", 3, "1月", Severity.WARNING, "1—5月" + UNPAID_TAIL)]


def test_unpaid_outside_the_run_is_still_reported() -> None:
    problems = month_problems([dues_row("甲", paid=paid(3))], as_of=AFTER_YEAR)
    assert [(rule, col) for rule, _, col, _, _ in problems] == [("DUES-UNPAID", "1月"), ("DUES-6M", "4月")]
    assert problems[0][4].startswith("1—2月已过")
    assert problems[1][4].startswith("甲从4月到12月连续9个月未交党费")


def test_with_six_months_switched_off_the_months_are_listed_as_unpaid() -> None:
    cfg = settings(rules={"severity": {"DUES-6M": "关闭"}})
    assert month_problems([dues_row("甲", paid={})], cfg=cfg) == [
        ("DUES-UNPAID", 3, "1月", Severity.WARNING, "1—6月" + UNPAID_TAIL)]


def test_a_probationary_member_admitted_in_june_owes_nothing_before() -> None:
    roster = [member("赵新", member_type="预备党员", join=date(2025, 6, 15))]
    assert month_problems([dues_row("赵新", paid=paid(*range(6, 13)))], roster, as_of=AFTER_YEAR) == []
    assert month_problems([dues_row("赵新", paid=paid(*range(7, 13)))], roster, as_of=AFTER_YEAR) == [
        ("DUES-UNPAID", 3, "6月", Severity.WARNING, "6月" + UNPAID_TAIL)]
    # The names are compared without spaces.
    assert month_problems([dues_row("赵　新", paid=paid(*range(6, 13)))], roster, as_of=AFTER_YEAR) == []
    # Without the setting, January to May are owed: five months, not six.
    cfg = settings(dues={"probation_from_admission": False})
    assert month_problems([dues_row("赵新", paid=paid(*range(6, 13)))], roster, as_of=AFTER_YEAR, cfg=cfg) == [
        ("DUES-UNPAID", 3, "1月", Severity.WARNING, "1—5月" + UNPAID_TAIL)]


def test_members_who_left_or_came_during_the_year() -> None:
    roster = [member("甲", standing="转出", change=date(2025, 4, 10)),
              member("乙", standing="转入", change=date(2025, 9, 1)),
              member("丙", standing="去世", change=date(2024, 11, 2))]
    rows = [dues_row("甲", paid=paid(1, 2, 3, 4)), dues_row("乙", paid=paid(9, 10, 11, 12)), dues_row("丙", paid={})]
    assert month_problems(rows, roster, as_of=AFTER_YEAR) == []
    rows = [dues_row("甲", paid=paid(1, 2, 3)), dues_row("乙", paid=paid(10, 11, 12))]
    assert [(p[0], p[4][:2]) for p in month_problems(rows, roster, as_of=AFTER_YEAR)] == [
        ("DUES-UNPAID", "4月"), ("DUES-UNPAID", "9月")]


def test_quarterly_payment_explained_in_the_note() -> None:
    quarterly = dues_row("甲", paid=paid(3, 6, amount=120), note="经支部同意按季度交纳")
    assert month_problems([quarterly], as_of=date(2025, 8, 15)) == []
    assert [p[4] for p in month_problems([quarterly], as_of=date(2025, 10, 1))] == ["7—9月" + UNPAID_TAIL]
    # Without the note every month stands alone (July has passed on 15 August).
    plain = dues_row("甲", paid=paid(3, 6, amount=120))
    assert [p[4] for p in month_problems([plain], as_of=date(2025, 8, 15))] == ["1—2月、4—5月、7月" + UNPAID_TAIL]


def test_an_exempted_member_owes_nothing() -> None:
    assert month_problems([dues_row("甲", base=0, due=0, paid={}, note="经上级党委批准免交")], as_of=AFTER_YEAR) == []


def test_a_month_paid_short() -> None:
    rows = [dues_row("甲", paid={1: 30, 2: 30, 3: 40, 4: 20})]
    assert month_problems(rows, as_of=date(2025, 5, 1)) == [
        ("DUES-UNDERPAID", 3, "1月", Severity.WARNING, "1—2月实交30元，少于月应交40元。如经批准少交，请在备注中写明。"),
        ("DUES-UNDERPAID", 3, "4月", Severity.WARNING, "4月实交20元，少于月应交40元。如经批准少交，请在备注中写明。"),
    ]
    noted = [dues_row("甲", paid={1: 30, 2: 30, 3: 30, 4: 30}, note="经批准少交")]
    assert [p[3] for p in month_problems(noted, as_of=date(2025, 5, 1))] == [Severity.INFO]
    assert month_problems([dues_row("甲", paid={1: 50, 2: 40, 3: 40, 4: 40})], as_of=date(2025, 5, 1)) == []


def test_a_missing_month_column_is_not_read_as_unpaid() -> None:
    ret = build(dues=[dues_row("甲", paid={})], drop={"dues": {"m3"}})
    problems = only(run(ret), "DUES-UNPAID", "DUES-6M")
    assert [(p.rule_id, p.column) for p in problems] == [("DUES-UNPAID", "1月"), ("DUES-6M", "4月")]
    assert problems[0].message.startswith("1—2月已过")
    assert "从4月到12月连续9个月" in problems[1].message


def test_a_missing_dues_sheet_does_not_crash() -> None:
    ret = build(missing=("dues",), roster=[member("王建国", post="书记")])
    assert [p for p in run(ret) if "DUES" in p.rule_id] == []


def test_payments_before_admission_are_noted_when_the_rule_is_listed() -> None:
    import dataclasses

    from builders import definition

    from taizhang.validate import validate

    defn = definition()
    dues = defn.ledger("dues")
    listed = dataclasses.replace(defn, ledgers=tuple(
        dataclasses.replace(led, rules=(*led.rules, "DUES-PROBATION")) if led is dues else led for led in defn.ledgers))
    roster = [member("赵新", member_type="预备党员", join=date(2025, 6, 15))]
    ret = build(roster=roster, dues=[dues_row("赵新", paid=paid(*range(4, 13)))])
    [p] = only(validate(ret, listed, DEFAULT, as_of=AFTER_YEAR), "DUES-PROBATION")
    assert (p.severity, p.column) == (Severity.INFO, "4月")
    assert p.message == "赵新于2025年6月15日接收为预备党员，此前的月份不需要交纳党费。"
    ok = build(roster=roster, dues=[dues_row("赵新", paid=paid(*range(6, 13)))])
    assert only(validate(ok, listed, DEFAULT, as_of=AFTER_YEAR), "DUES-PROBATION") == []
    assert only(run(ret), "DUES-PROBATION") == []  # the shipped dues ledger does not list it
