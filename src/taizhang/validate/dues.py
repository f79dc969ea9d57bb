"""党费: the monthly amount against the official brackets, and what was paid month by month.

`expected_monthly_due` is the one place where the amount due is computed (the demo generator
uses it too): the whole base at one rate (boundaries belong to the lower bracket),
rounded once, half up, to `settings.dues["rounding"]`.

Which months a member owed: the months of the year that have passed at `as_of`, from the month of
admission for a member admitted during the year (`probation_from_admission`) or the month of a
transfer in, up to and including the month of a transfer out, 停止党籍 or death. A 月应交 of 0
(exempted) owes nothing. A row whose 备注 mentions 季 (按季度交纳) is read quarter by quarter:
a payment in any month of a passed quarter covers the quarter.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from taizhang import catalog
from taizhang.party.calendar import cn_date, months_text
from taizhang.problems import Problem, Severity
from taizhang.records import Row
from taizhang.validate.context import CENT, LEFT, Context, check, money_of, money_text, text_of
from taizhang.workspace.config import Settings

DUES = "dues"
MONTH_KEYS = tuple(f"m{m}" for m in range(1, 13))
BRACKET_TABLES = {"在职": "working", "离退休": "retired"}
OTHER = "其他"
QUARTERLY_MARK = "季"
_num = money_text


def expected_monthly_due(category: str, base: Decimal | None, settings: Settings) -> tuple[Decimal, Decimal] | None:
    """The allowed (lowest, highest) 月应交 for a member of `category` with 月计算基数 `base`.

    Equal bounds for the bracket categories (在职, 离退休, and 其他 when `dues.other_category` is
    "working"); the configured range for the fixed categories (学生, 下岗失业: 0.2; 农民: 0.2–1);
    None when the amount cannot be checked (an unknown category, 其他 set to "fixed_any", or a
    missing, negative or absurdly large base). Amounts are rounded once, half up, to the configured unit (never
    finer than 0.01) and returned with two decimals.
    """
    dues = settings.dues
    category = (category or "").strip()
    fixed = dues.get("fixed") or {}
    if category in fixed:
        low, high = fixed[category]
        return Decimal(low).quantize(CENT, ROUND_HALF_UP), Decimal(high).quantize(CENT, ROUND_HALF_UP)
    table = BRACKET_TABLES.get(category)
    if table is None and category == OTHER:
        table = {"working": "working", "retired": "retired"}.get(str(dues.get("other_category", "working")))
    if table is None or base is None or not base.is_finite() or base < 0:
        return None
    rate = _bracket(dues[table], base)[1]
    unit = max(Decimal(dues.get("rounding", CENT)), CENT)
    try:
        amount = (base * rate).quantize(unit, ROUND_HALF_UP).quantize(CENT)
    except InvalidOperation:  # an absurd base, beyond Decimal's precision
        return None
    return amount, amount


def _bracket(brackets: tuple[tuple[Decimal, Decimal], ...], base: Decimal) -> tuple[Decimal, Decimal]:
    for upper, rate in brackets:
        if base <= upper:
            return upper, rate
    return brackets[-1]  # pragma: no cover - the last bracket is unbounded


def _rate_text(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


def rule_text(category: str, base: Decimal | None, settings: Settings) -> str:
    """The rule that sets this member's amount, in a sentence: "在职党员月计算基数3000元以上至
    5000元（含）的，按1%交纳。" / "学生党员每月交纳0.2元。"."""
    dues = settings.dues
    fixed = dues.get("fixed") or {}
    if category in fixed:
        low, high = fixed[category]
        amount = money_text_pair(Decimal(low), Decimal(high))
        return f"{category}党员每月交纳{amount}元。"
    table = BRACKET_TABLES.get(category) or (str(dues.get("other_category")) if category == OTHER else None)
    if table not in ("working", "retired") or base is None:
        return ""
    brackets = dues[table]
    who = {"working": "在职党员", "retired": "离退休党员"}[table]
    lower = None
    for upper, rate in brackets:
        if base <= upper:
            break
        lower = upper
    if lower is None:
        span = f"不超过{_num(upper)}元（含）"
    elif upper.is_infinite():
        span = f"超过{_num(lower)}元"
    else:
        span = f"{_num(lower)}元以上至{_num(upper)}元（含）"
    return f"{who}月计算基数{span}的，按{_rate_text(rate)}交纳。"


def money_text_pair(low: Decimal, high: Decimal) -> str:
    """"0.2" for equal bounds, "0.2至1" for a range."""
    return money_text(low) if low == high else f"{money_text(low)}至{money_text(high)}"


# --- which months were owed and paid -------------------------------------------------------
def owed_months(ctx: Context, row: Row) -> list[int]:
    """The months of the ledger year, already passed at `as_of`, in which this member owed dues."""
    due = money_of(row, "monthly_due")
    if due is not None and due <= 0:
        return []
    first, last = 1, 12
    member = ctx.roster.find(text_of(row, "name")) if ctx.roster.present else None
    if member is not None:
        join = member.join_date
        if join is not None and join.year > ctx.year:
            return []
        if join is not None and join.year == ctx.year and ctx.settings.dues.get("probation_from_admission", True):
            first = join.month
        change = member.change_date
        if change is not None and member.standing == "转入":
            if change.year > ctx.year:
                return []
            if change.year == ctx.year:
                first = max(first, change.month)
        if change is not None and member.standing in LEFT:
            if change.year < ctx.year:
                return []
            if change.year == ctx.year:
                last = change.month
    passed = ctx.months_passed
    if QUARTERLY_MARK in text_of(row, "note"):
        passed = passed // 3 * 3
    return [m for m in range(first, min(last, passed) + 1) if ctx.found(DUES, f"m{m}")]


def _paid(row: Row, month: int) -> Decimal | None:
    return money_of(row, f"m{month}")


def unpaid_months(ctx: Context, row: Row) -> list[int]:
    """The owed, passed months with nothing paid (quarterly payers: nothing in the whole quarter)."""
    key = ("unpaid_months", id(row))
    if key not in ctx.memo:  # DUES-UNPAID and DUES-6M both ask
        ctx.memo[key] = _unpaid_months(ctx, row)
    return list(ctx.memo[key])


def _unpaid_months(ctx: Context, row: Row) -> list[int]:
    quarterly = QUARTERLY_MARK in text_of(row, "note")
    out = []
    for m in owed_months(ctx, row):
        months = range(3 * ((m - 1) // 3) + 1, 3 * ((m - 1) // 3) + 4) if quarterly else (m,)
        if not any((_paid(row, k) or 0) > 0 for k in months):
            out.append(m)
    return out


def arrears_runs(months: list[int], minimum: int) -> list[list[int]]:
    """The runs of consecutive months in `months` at least `minimum` long."""
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return [r for r in runs if minimum > 0 and len(r) >= minimum]


def _name(row: Row) -> str:
    return text_of(row, "name") or f"第{row.excel_row}行的党员"


# --- the checks ----------------------------------------------------------------------------
@check("DUES-RATE")
def check_rate(ctx: Context) -> Iterator[Problem]:
    """月应交 below the amount the brackets give (错误; 警告 when 备注 explains a reduction);
    above it is allowed and only noted (提示)."""
    for row in ctx.rows(DUES):
        category = text_of(row, "person_category")
        base, due = money_of(row, "base"), money_of(row, "monthly_due")
        if due is None:
            continue
        allowed = expected_monthly_due(category, base, ctx.settings)
        if allowed is None:
            continue
        low, high = allowed
        if low <= due <= high:
            continue
        rule = rule_text(category, base, ctx.settings)
        expected = money_text_pair(low, high)
        if due < low:
            if text_of(row, "note"):
                severity = Severity.WARNING
                hint = (f"{rule}备注中已作说明；如确经支部研究、上级党委批准少交，可不修改，"
                        f"否则请改为{expected}元。")
            else:
                severity = Severity.ERROR
                hint = f"{rule}请改为{expected}元；如经支部研究、上级党委批准少交，请在备注中写明。"
        else:
            severity = Severity.INFO
            hint = f"{rule}高于规定标准：自愿多交的可不修改；如是算错了，请改为{expected}元。"
        yield catalog.make(
            "DUES-RATE", value=due, severity=severity, category=category, base=_num(base or Decimal(0)),
            expected=expected, due=_num(due), hint=hint, **ctx.where(DUES, row, "monthly_due"),
        )


@check("DUES-HIGH")
def check_high(ctx: Context) -> Iterator[Problem]:
    """月应交 above `dues.high_monthly` (提示)."""
    limit = ctx.settings.dues.get("high_monthly")
    if limit is None:
        return
    for row in ctx.rows(DUES):
        due = money_of(row, "monthly_due")
        if due is not None and due > limit:
            yield catalog.make("DUES-HIGH", value=due, due=_num(due), limit=_num(Decimal(limit)),
                               **ctx.where(DUES, row, "monthly_due"))


@check("DUES-UNDERPAID")
def check_underpaid(ctx: Context) -> Iterator[Problem]:
    """Months paid, but less than 月应交: one problem per row and amount (提示 when 备注 explains)."""
    for row in ctx.rows(DUES):
        due = money_of(row, "monthly_due")
        if due is None or due <= 0:
            continue
        by_amount: dict[Decimal, list[int]] = {}
        for m in range(1, 13):
            paid = _paid(row, m)
            if paid is not None and 0 < paid < due:
                by_amount.setdefault(paid, []).append(m)
        severity = Severity.INFO if text_of(row, "note") else None
        for paid, months in sorted(by_amount.items(), key=lambda item: item[1][0]):
            yield catalog.make("DUES-UNDERPAID", value=paid, severity=severity, month=months_text(months),
                               paid=_num(paid), due=_num(due), **ctx.where(DUES, row, f"m{months[0]}"))


@check("DUES-UNPAID")
def check_unpaid(ctx: Context) -> Iterator[Problem]:
    """Owed months that have passed with nothing paid: one problem per row naming the months.
    Months inside a run reported by DUES-6M are left to that rule (while it is switched on)."""
    minimum = int(ctx.settings.dues.get("arrears_months", 6))
    six_on = ctx.enabled("DUES-6M")
    for row in ctx.rows(DUES):
        unpaid = unpaid_months(ctx, row)
        if six_on:
            covered = {m for run in arrears_runs(unpaid, minimum) for m in run}
            unpaid = [m for m in unpaid if m not in covered]
        if unpaid:
            yield catalog.make("DUES-UNPAID", month=months_text(unpaid), **ctx.where(DUES, row, f"m{unpaid[0]}"))


@check("DUES-6M")
def check_arrears(ctx: Context) -> Iterator[Problem]:
    """Six (`dues.arrears_months`) or more owed months in a row with nothing paid (错误)."""
    minimum = int(ctx.settings.dues.get("arrears_months", 6))
    for row in ctx.rows(DUES):
        for run in arrears_runs(unpaid_months(ctx, row), minimum):
            yield catalog.make("DUES-6M", name=_name(row), start=f"{run[0]}月", end=f"{run[-1]}月",
                               months=len(run), **ctx.where(DUES, row, f"m{run[0]}"))


@check("DUES-TOTAL")
def check_total(ctx: Context) -> Iterator[Problem]:
    """全年实交 filled in and different from the sum of the months."""
    for row in ctx.rows(DUES):
        total = money_of(row, "total")
        if total is None:
            continue
        if any(key in row.invalid for key in MONTH_KEYS):
            continue  # a month could not be read, so the sum is not known
        months = sum((money_of(row, key) or Decimal(0) for key in MONTH_KEYS), Decimal(0))
        if total != months:
            yield catalog.make("DUES-TOTAL", value=total, total=_num(total), sum=_num(months),
                               **ctx.where(DUES, row, "total"))


@check("DUES-PROBATION")
def check_paid_before_admission(ctx: Context) -> Iterator[Problem]:
    """Payments recorded before the month a member admitted this year joined (提示: not owed;
    often the 入党日期 on the roster is wrong). Not listed by the shipped dues ledger."""
    if not ctx.roster.present or not ctx.settings.dues.get("probation_from_admission", True):
        return
    for row in ctx.rows(DUES):
        member = ctx.roster.find(text_of(row, "name"))
        join = member.join_date if member is not None else None
        if join is None or join.year != ctx.year:
            continue
        early = [m for m in range(1, join.month) if (_paid(row, m) or 0) > 0]
        if early:
            yield catalog.make("DUES-PROBATION", name=_name(row), admitted=cn_date(join),
                               **ctx.where(DUES, row, f"m{early[0]}"))
