"""How often meetings and activities were held, against the requirements of `party.frequency`.

One check per frequency rule (MEET-GM-Q … LIFE-TALK-Y), each a shortfall worded from the same
`party.frequency.assess` that the statistics count with: the passed months (quarters, the year)
that had none, and those that had too few. A month or quarter not yet ended is never checked; the
yearly rules wait until the year is over. Nothing is said while the rule's sheet is missing
(SHEET-MISSING says so).
"""

from __future__ import annotations

from collections.abc import Iterator

from taizhang import catalog
from taizhang.party import frequency
from taizhang.party.calendar import cn_date, months_text, quarters_text
from taizhang.party.periods import Period
from taizhang.problems import Problem
from taizhang.validate.context import Context, check


def _detail(assessment: frequency.Assessment) -> str:
    """"（1月、3—5月没有，6月只有1次）": the units that fell short, grouped by what they had."""
    unit = assessment.rule.unit
    none: list[int] = []
    few: dict[int, list[int]] = {}
    for period, n in assessment.short:
        index = period.start.month if unit == frequency.MONTH else (period.start.month + 2) // 3
        (none.append(index) if n == 0 else few.setdefault(n, []).append(index))
    text = months_text if unit == frequency.MONTH else quarters_text
    parts = [f"{text(none)}没有"] if none else []
    parts += [f"{text(labels)}只有{n}次" for n, labels in sorted(few.items())]
    return f"（{'，'.join(parts)}）"


def _problems(ctx: Context, rule: frequency.FrequencyRule) -> Iterator[Problem]:
    if not ctx.present(rule.ledger) or ctx.elapsed is None:
        return
    part = Period.year(ctx.year)
    a = frequency.assess(rule, ctx.rows(rule.ledger), ctx.roster, part, ctx.elapsed, ctx.settings)
    if not a.applies or a.met:
        return
    sheet = ctx.sheet(rule.ledger)
    if rule.unit != frequency.YEAR:
        yield catalog.make(rule.rule_id, sheet=sheet, until=cn_date(a.held_per_unit[-1][0].end),
                           required=a.required, held=a.held, detail=_detail(a), groups=a.groups)
    elif rule.by_secretary:
        detail = "没有讲党课的记录" if a.held == 0 else f"讲党课只有{a.held}次"
        yield catalog.make(rule.rule_id, sheet=sheet, required=a.need, secretary="、".join(a.secretaries),
                           detail=detail)
    else:
        detail = f"没有{rule.kind}的记录" if a.held == 0 else f"只登记了{a.held}次"
        yield catalog.make(rule.rule_id, sheet=sheet, year=ctx.year, required=a.need, held=a.held,
                           detail=detail)


def _register(rule: frequency.FrequencyRule) -> None:
    @check(rule.rule_id)
    def run(ctx: Context) -> Iterator[Problem]:
        yield from _problems(ctx, rule)

    run.__doc__ = f"{rule.name}: how often it was held (party.frequency)."


for _rule in frequency.RULES:
    _register(_rule)
