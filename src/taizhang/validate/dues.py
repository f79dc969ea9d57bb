"""党费: the monthly amount against the official brackets, and what was paid month by month.

Every rule is `party.dues`'s (the amount due, the months owed, quarterly and half-yearly payers,
arrears); the checks here word what it answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from taizhang import catalog
from taizhang.party import dues
from taizhang.party.calendar import cn_date, months_text
from taizhang.party.dues import MONTH_KEYS, money_text, money_text_pair
from taizhang.party.members import Member
from taizhang.problems import Problem, Severity
from taizhang.records import Row, money_of, text_of
from taizhang.validate.context import Context, check

DUES = "dues"
_num = money_text


def _member(ctx: Context, row: Row) -> Member | None:
    return ctx.roster.find(text_of(row, "name")) if ctx.roster.present else None


def unpaid_months(ctx: Context, row: Row) -> list[int]:
    """The owed, passed months with nothing paid (`party.dues.unpaid_months`), among the month
    columns found on the sheet."""
    key = ("unpaid_months", id(row))
    if key not in ctx.memo:  # DUES-UNPAID and DUES-6M both ask
        columns = [m for m in range(1, 13) if ctx.found(DUES, f"m{m}")]
        ctx.memo[key] = dues.unpaid_months(row, _member(ctx, row), ctx.year, ctx.as_of, ctx.settings,
                                           columns=columns)
    return list(ctx.memo[key])


def _name(row: Row) -> str:
    return text_of(row, "name") or f"第{row.excel_row}行的党员"


@check("DUES-RATE")
def check_rate(ctx: Context) -> Iterator[Problem]:
    """月应交 below the amount the brackets give (错误; 警告 when 备注 explains a reduction);
    above it is allowed and only noted (提示)."""
    for row in ctx.rows(DUES):
        category = text_of(row, "person_category")
        base, due = money_of(row, "base"), money_of(row, "monthly_due")
        if due is None:
            continue
        allowed = dues.expected_monthly_due(category, base, ctx.settings)
        if allowed is None:
            continue
        low, high = allowed
        if low <= due <= high:
            continue
        rule = dues.rule_text(category, base, ctx.settings)
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
            paid = dues.paid(row, m)
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
    minimum = dues.arrears_minimum(ctx.settings)
    six_on = ctx.enabled("DUES-6M")
    for row in ctx.rows(DUES):
        unpaid = unpaid_months(ctx, row)
        if six_on:
            covered = {m for run in dues.arrears_runs(unpaid, minimum) for m in run}
            unpaid = [m for m in unpaid if m not in covered]
        if unpaid:
            yield catalog.make("DUES-UNPAID", month=months_text(unpaid), **ctx.where(DUES, row, f"m{unpaid[0]}"))


@check("DUES-6M")
def check_arrears(ctx: Context) -> Iterator[Problem]:
    """Six (`dues.arrears_months`) or more owed months in a row with nothing paid (错误)."""
    minimum = dues.arrears_minimum(ctx.settings)
    for row in ctx.rows(DUES):
        for run in dues.arrears_runs(unpaid_months(ctx, row), minimum):
            yield catalog.make("DUES-6M", name=_name(row), start=f"{run[0]}月", end=f"{run[-1]}月",
                               months=len(run), **ctx.where(DUES, row, f"m{run[0]}"))


@check("DUES-TOTAL")
def check_total(ctx: Context) -> Iterator[Problem]:
    """全年实交 filled in and different from the sum of the months. When the difference is exactly
    the months typed as text (which Excel's SUM leaves out), the fix is to make them numbers."""
    for row in ctx.rows(DUES):
        total = money_of(row, "total")
        if total is None:
            continue
        if any(key in row.invalid for key in MONTH_KEYS):
            continue  # a month could not be read, so the sum is not known
        months = dues.paid_in(row, range(1, 13))
        if total == months:
            continue
        as_text = [m for m in range(1, 13) if f"m{m}" in row.text_cells and dues.paid(row, m)]
        numbers = dues.paid_in(row, [m for m in range(1, 13) if m not in as_text])
        if as_text and total == numbers:
            advice = (f"{months_text(as_text)}的金额是以文本形式填写的，Excel的合计不计算这些单元格。"
                      "请把这些单元格改为数字（选中后点单元格旁的“!”，选“转换为数字”），全年实交会自动更正。")
        else:
            advice = f"请改为{_num(months)}元或恢复合计公式。"
        yield catalog.make("DUES-TOTAL", value=total, total=_num(total), sum=_num(months), advice=advice,
                           **ctx.where(DUES, row, "total"))


@check("DUES-PROBATION")
def check_paid_before_admission(ctx: Context) -> Iterator[Problem]:
    """Payments recorded before the month a member admitted this year joined (提示: not owed;
    often the 入党日期 on the roster is wrong). Not listed by the shipped dues ledger."""
    if not ctx.roster.present or not ctx.settings.dues.get("probation_from_admission", True):
        return
    for row in ctx.rows(DUES):
        member = _member(ctx, row)
        join = member.join_date if member is not None else None
        if join is None or join.year != ctx.year:
            continue
        early = [m for m in range(1, join.month) if (dues.paid(row, m) or 0) > 0]
        if early:
            yield catalog.make("DUES-PROBATION", name=_name(row), admitted=cn_date(join),
                               **ctx.where(DUES, row, f"m{early[0]}"))
