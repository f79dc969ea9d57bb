"""Validate a branch's return: every rule of the catalog as a named check.

`validate` runs the cell checks on every ledger, then each rule id that a ledger definition
lists (`CHECKS` maps a rule id to its check, a small generator of `Problem`s over a `Context`).
It finds everything in one pass, applies the workspace's severity settings, sorts, and caps the
list.

Severity settings (`[rules.severity]` in taizhang.toml) move a rule's severity and keep the
grading a check makes within the rule: DUES-RATE is 错误, or 警告 when 备注 explains a reduction;
setting DUES-RATE to 警告 makes those 警告 and 提示. "关闭" drops the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from taizhang import catalog
from taizhang.errors import DefinitionError
from taizhang.problems import Problem, ProblemBudget, Severity, sort_key
from taizhang.records import BranchReturn
from taizhang.validate import cross, dues, frequency, meetings, recruitment, roster, summary  # noqa: F401  (register the checks)
from taizhang.validate.cells import CELL_RULES, bound_numbers, check_cells
from taizhang.validate.context import CHECKS, Context
from taizhang.workspace.config import Settings
from taizhang.workspace.definitions import WorkbookDefinition

__all__ = [
    "CELL_RULES",
    "CHECKS",
    "Context",
    "rules_markdown",
    "validate",
]

_BY_RANK = {s.rank: s for s in Severity}


def validate(ret: BranchReturn, definition: WorkbookDefinition, settings: Settings, *, as_of: date,
             cap: int | None = None, budget: ProblemBudget | None = None) -> list[Problem]:
    """Every problem found in `ret` at `as_of`, sorted by sheet, row and column.

    Cell checks run on every ledger; then each rule id listed by a ledger of `definition` runs
    once (DefinitionError for an id without a check; the tests check the shipped definitions). Rules
    switched off in `settings` are skipped. The problems are counted against one budget of
    `cap` (default `collect.max_problems_per_file`): the most serious `cap` are kept and one
    PROBLEM-CAP says how many there were. With `budget` (the file's budget, shared with reading
    and identification) the caller caps the whole file's problems (`budget.cap`) and this
    returns what the budget kept, uncapped.
    """
    own = budget is None
    if budget is None:
        budget = ProblemBudget(settings.limit("max_problems_per_file") if cap is None else cap)
    problems: list[Problem] = []
    # Numbers beyond their column's limits leave every figure before any check computes one.
    budget.keep(problems, bound_numbers(ret, definition))
    ctx = Context.build(ret, definition, settings, as_of)
    budget.keep(problems, _with_severity(check_cells(ctx, budget), settings))
    done: set[str] = set()
    for ledger in definition.ledgers:
        for rule_id in ledger.rules:
            if rule_id in done:
                continue
            done.add(rule_id)
            run = CHECKS.get(rule_id)
            if run is None:
                raise DefinitionError(
                    f"台账定义“{ledger.sheet}”列出的规则 {rule_id} 不能用于工作表（它由读取或收集环节检查），"
                    f"请从 rules 中删除。（定义文件：{ledger.source or ledger.id}）"
                )
            if settings.rule_severity(rule_id) is None:
                continue
            budget.keep(problems, _with_severity(run(ctx), settings))
    problems.sort(key=sort_key)
    return budget.cap(problems) if own else problems


def apply_severity(problems: list[Problem], settings: Settings) -> list[Problem]:
    """The problems with the workspace's severity settings applied; switched-off rules dropped.

    An override moves each problem of the rule by the distance between the new severity and the
    catalog's default (clamped to 错误…提示), so a check's own grading within a rule is kept and
    writing the default severity changes nothing.
    """
    return list(_with_severity(problems, settings))


def _with_severity(problems: Iterable[Problem], settings: Settings) -> Iterator[Problem]:
    """`apply_severity`, one problem at a time (a check stops making problems when the file's
    budget is spent only if they are taken as they come)."""
    for p in problems:
        if p.rule_id not in settings.severity or p.rule_id not in catalog.RULES:
            yield p
            continue
        forced = settings.severity[p.rule_id]
        if forced is None:
            continue
        shift = forced.rank - catalog.get(p.rule_id).severity.rank
        rank = min(max(p.severity.rank + shift, 0), 2)
        yield p if rank == p.severity.rank else replace(p, severity=_BY_RANK[rank])


# --- the README's rule table ---------------------------------------------------------------
SCOPES = {
    "文件": "文件和身份",
    "支部名单": "支部名单",
    "设置": "工作区设置",
    "汇总": "下级汇总报送",
    "工作表": "工作表",
    "单元格": "单元格（按台账定义）",
    "行": "每一行",
    "跨表": "跨表核对",
    "全年": "全年次数（截至收集日已结束的月份、季度）",
    "党员信息表": "党员信息表（导入党员名单）",
}
# Where a check grades its problems differently from the rule's default.
SEVERITY_NOTES = {
    "DUES-RATE": "错误（少交而备注中已说明的为警告，多交为提示）",
    "DUES-UNDERPAID": "警告（备注中已说明的为提示）",
    "REC-APPROVE-3M": "警告（超过6个月为错误）",
    "REC-LOCAL": "警告（可在设置中逐条指定）",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    """The README's table of every rule, generated from the catalog: one Markdown table per scope
    (file, branch list, sheet, cell, row, across sheets, over the year) with 编号, 规则, 严重程度, 依据."""
    scopes: dict[str, list[catalog.Rule]] = {}
    for rule in catalog.RULES.values():
        scopes.setdefault(rule.scope, []).append(rule)
    order = list(SCOPES) + [s for s in scopes if s not in SCOPES]
    lines: list[str] = []
    for scope in order:
        rules = scopes.get(scope)
        if not rules:
            continue
        lines += [f"### {SCOPES.get(scope, scope)}", "", "| 编号 | 规则 | 严重程度 | 依据 |", "| --- | --- | --- | --- |"]
        for rule in rules:
            severity = SEVERITY_NOTES.get(rule.id, rule.severity.value)
            lines.append(f"| {rule.id} | {_cell(rule.title)} | {_cell(severity)} | {_cell(rule.source)} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
