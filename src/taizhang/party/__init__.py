"""The party's rules, each answered once: every other package asks here.

- `members`: who belongs to the branch on a day, who is a full member on a day (from 转正日期, or
  党员类别 where there is none), the secretaries, the 党小组, whether a committee is required.
- `hosts`: names in a cell that may hold several (主持人或授课人, 入党介绍人), and who hosted.
- `dues`: the amount due from the official brackets, the months a member owes, payers by quarter
  or half-year, months unpaid and arrears.
- `recruitment`: the stage of a person on a day, and the intervals between the stages.
- `frequency`: how often each meeting and activity is required, and how that is counted per
  month, quarter and year over the part of a period that has passed.
- `calendar` and `periods`: the calendar helpers and the statistics periods.

The validator turns these answers into problems, the statistics into figures, the reports into
sentences and the demo into plausible data; none of them re-derives an answer, so that a branch's
feedback, its 统计表 and its reports tell the same story. Each rule names the regulation it
follows (see the project's docs/architecture.md and the design notes on the rules).
"""
