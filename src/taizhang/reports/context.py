"""What each report template is filled with: plain data built from the statistics and the returns.

The builders live by concern: `words` (how numbers and text are written), `figures` (a branch's
figures and shortfalls), `narrative` (the recorded items a report names, and the rules that pick
them), `branch` (the four branch kinds) and `committee` (the 总结 and the 通报). Every figure
comes from `statistics.Stats`; every named item from the ledgers; what a person must write is
marked 【待补充】; nothing is invented.

The result of `branch_context` / `committee_context` is a dict of str, int, bool, lists and dicts,
plus `Chart` values (PNG bytes) that the renderer turns into pictures.
"""

from __future__ import annotations

from taizhang.reports.branch import branch_context, signer_of
from taizhang.reports.committee import committee_context, main_problems, rule_summary
from taizhang.reports.figures import branch_figures, findings
from taizhang.reports.inputs import Chart, ReportInputs
from taizhang.reports.words import TO_BE_FILLED, clean_text, money, name_list, paragraphs, percent

__all__ = ["TO_BE_FILLED", "Chart", "ReportInputs", "branch_context", "branch_figures", "clean_text",
           "committee_context", "findings", "main_problems", "money", "name_list", "paragraphs", "percent",
           "rule_summary", "signer_of"]
