"""The demo: a complete workspace for a fictional 机关党委, run through every stage.

Deterministic for a seed: the same branches, members, events and planted mistakes every time.
"""

from __future__ import annotations

import copy
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taizhang import clock
from taizhang import workspace as workspace_mod
from taizhang.errors import WorkspaceExists
from taizhang.safeio import atomic_write_text
from taizhang.vocabulary import ISSUED
from taizhang.workspace import branches as branches_mod

if TYPE_CHECKING:
    from taizhang.workspace import Workspace

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoClock:
    """The demo's calendar for one ledger year, derived from the year alone (never from today), so
    its story holds together whenever it is run: the office collects the year before on 20 January
    and issues this year's ledgers the next morning (prefilled from what it just collected); its
    党总支 issue theirs two days later and want them back by 10 January of the next year, collect,
    and roll up two days after; the branches send theirs in the ten days before the committee's
    deadline of 15 January (one three days late, one not at all in the last year); the office
    collects on 20 January and writes its statistics and reports that day."""

    year: int

    @property
    def issued(self) -> datetime:
        """When the committee issues the year's ledgers."""
        return datetime(self.year, 1, 21, 9, 0)

    @property
    def issued_on(self) -> date:
        """The day the year's ledgers are issued (a 转正日期 passed by then: 正式党员)."""
        return self.issued.date()

    @property
    def lower_issued(self) -> datetime:
        """When a 党总支 issues its branches' ledgers."""
        return datetime(self.year, 1, 23, 9, 0)

    @property
    def lower_deadline(self) -> date:
        """The deadline a 党总支 gives its branches."""
        return date(self.year + 1, 1, 10)

    @property
    def rolled_up(self) -> datetime:
        """When a 党总支 collects its branches' returns and makes its roll-up."""
        return datetime.combine(self.lower_deadline + timedelta(days=2), time(15, 0))

    @property
    def deadline(self) -> date:
        """The committee's deadline for the branches."""
        return date(self.year + 1, 1, 15)

    @property
    def collected(self) -> date:
        """The day the office collects, consolidates and writes its reports (after the deadline)."""
        return self.deadline + timedelta(days=5)

    @property
    def as_of(self) -> date:
        """The day the year's returns are checked at: the collection day."""
        return self.collected

    def at(self, day: date, hour: int = 9) -> datetime:
        """A moment of a day of the story."""
        return datetime.combine(day, time(hour, 0))


# The demo's story over its years: this branch misses the middle year (its next workbook is
# prefilled from its latest return, two years before).
MISSES_A_YEAR = "003"
YEARS = 3


@dataclass
class DemoReport:
    """What the demo built, stage by stage; the figures of the last year's round, and a line per
    earlier year in `rounds`."""

    root: str
    seed: int
    year: int
    as_of: str
    years: list[int] = field(default_factory=list)
    branches: int = 0
    issued: list[str] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)
    mistakes: list[dict[str, Any]] = field(default_factory=list)
    collect: dict[str, Any] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # branches whose return has not come in
    sub_units: list[dict[str, Any]] = field(default_factory=list)  # the 党总支 that roll up
    rounds: list[dict[str, Any]] = field(default_factory=list)  # every year: issued, carried, returned, collected

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


def build_demo(root: Path, *, seed: int = 2025, year: int = 2025, stages: str = "all",
               progress: Progress | None = None,
               on_returns: Callable[[DemoReport], None] | None = None) -> DemoReport:
    """Build the demo workspace in `root` and run it through the rounds of three years, ending
    with `year`: each year the workbooks are issued (from the second year on prefilled with the
    branches' rosters and pipelines of the year before), filled by the branches — the same people,
    year after year — returned and collected; the last year is then consolidated and reported.

    `stages`: "returns" stops after writing the last year's filled returns to inbox/<year>年/
    (the earlier years are collected); "all" goes on to collect, consolidate and report.
    `on_returns`, when given, is called at that point with the report as "returns" would give it
    (a copy), while the folder holds exactly the "returns" stage (one build serves both).
    Refuses a folder that already holds a workspace.
    """
    from taizhang.collect import collect
    from taizhang.demo import data as demo_data
    from taizhang.demo import organisation
    from taizhang.demo.years import years_of
    from taizhang.workspace.rounds import start_year

    say = progress or (lambda _m: None)
    root = Path(root).expanduser().resolve()
    if workspace_mod.is_workspace(root):
        raise WorkspaceExists(f"{root} 已经是一个工作区。演示会新建工作区，请换一个文件夹，或先删除它。")
    years = list(range(year - YEARS + 1, year + 1))
    rng = random.Random(seed)
    org = organisation.demo_organisation()
    ws = workspace_mod.init(root, org=org["name"], year=years[0], deadline=DemoClock(years[0]).deadline,
                            code=org.get("code", ""))
    _set_contact(ws.config_path, org.get("contact", ""), org.get("phone", ""))
    branch_rows = organisation.demo_branches(rng)
    sub_units = organisation.demo_sub_units(random.Random(f"{seed}-党总支"))
    branches_mod.write_template(ws.branches_path, [b.__dict__ if hasattr(b, "__dict__") else dict(b) for b in branch_rows]
                                + _sub_unit_rows(sub_units))
    _committee_ledger(ws, org["name"], seed, years, branch_rows)
    final = DemoClock(year)
    report = DemoReport(root=str(root), seed=seed, year=year, as_of=final.as_of.isoformat(), years=years,
                        branches=len(branch_rows))
    say(f"已创建演示工作区 {root}（{org['name']}，{len(branch_rows)}个支部，{years[0]}—{year}年）")
    ws = workspace_mod.Workspace(root)
    branch_list = branches_mod.issuable(branches_mod.read(ws.branches_path)[0])
    people = {b.code: years_of(b, years, lambda y: DemoClock(y).as_of, rng=rng) for b in branch_list}
    lower = _LowerUnits(ws, sub_units, seed=seed, years=years)
    for y in years:
        days = DemoClock(y)
        if y != years[0]:
            with clock.fixed(days.issued):
                start_year(ws, y)
        last = y == year
        fills = {code: people[code][y][1] for code in people}
        mistakes = demo_data.plant_mistakes(rng, fills, y) if last else []
        done = _round(ws, days, branch_list, fills, mistakes, rng, missing=(
            [MISSES_A_YEAR] if y == years[len(years) // 2] and y != years[0] else []), withhold=last)
        say(_said(y, done, len(mistakes)))
        rolled = lower.round(days, ws.folder("inbox") / f"{y}年", say)
        if last:
            report.issued, report.returns, report.withheld = done["issued"], done["returns"], done["withheld"]
            report.mistakes = [m.__dict__ for m in mistakes]
            report.sub_units = rolled
        if last and stages == "returns":
            report.rounds.append(_round_line(y, done, {}))
            return report
        if last and on_returns is not None:
            on_returns(copy.deepcopy(replace(report, rounds=[*report.rounds, _round_line(y, done, {})])))
        with clock.fixed(days.at(days.collected)):
            collected = collect(ws, [ws.folder("inbox") / f"{y}年"], as_of=days.as_of)
        counts = collected.to_dict()["counts"]
        report.rounds.append(_round_line(y, done, counts))
        say(f"{y}年：已收集，" + "，".join(f"{k}{v}个" for k, v in counts.items()))
        if last:
            report.collect = counts
            report.feedback = [f.feedback for f in collected.files if f.feedback]
            say(f"为{len(report.feedback)}个支部生成了反馈表（feedback/）")
    with clock.fixed(final.at(final.collected, 15)):
        report.outputs = _consolidate(ws, final.as_of, say)
        report.reports = _reports(ws, final.as_of, say)
    return report


def _round(ws: Workspace, days: DemoClock, branch_list: list[Any], fills: dict[str, Any], mistakes: list[Any],
           rng: random.Random, *, missing: list[str], withhold: bool) -> dict[str, Any]:
    """One year's round at the committee: issue (prefilled from earlier years), then the
    branches fill their workbooks and send them into inbox/<year>年/ — all but those `missing`
    the year, and, in the last year, one clean branch that has not sent it yet."""
    from taizhang.demo import fill
    from taizhang.issue import issue_workspace
    from taizhang.issue.workbook import workbook_name

    y = days.year
    with clock.fixed(days.issued):
        issued = issue_workspace(ws, on=days.issued_on)
    folder = ws.folder("inbox") / f"{y}年"
    folder.mkdir(exist_ok=True)
    sent = _return_days(rng, branch_list, fills, mistakes, days.deadline, withhold=withhold,
                        keep=[MISSES_A_YEAR], missing=missing)
    done: dict[str, Any] = {
        "issued": [r.path for r in issued.results if r.status == ISSUED], "returns": [], "withheld": [],
        "missing": [b.name for b in branch_list if b.code in missing],
        "carried": {r.code: r.roster_rows for r in issued.results if r.carried_from},
        "carried_from": {r.code: r.carried_from for r in issued.results if r.carried_from},
        "late": [b.name for b in branch_list if b.code in sent and sent[b.code] > days.deadline],
    }
    for b in branch_list:
        if b.code not in sent:
            if b.code not in missing:
                done["withheld"].append(b.name)
            continue
        out = folder / f"{b.name}{y}年台账（报送）.xlsx"
        fill.fill_workbook(ws.root / "outbox" / workbook_name(b, y), out, fills[b.code], ws.definitions)
        stamp = datetime.combine(sent[b.code], time(9, 30)).timestamp()
        os.utime(out, (stamp, stamp))  # collect dates a return by its file's time
        done["returns"].append(str(out))
    return done


def _said(y: int, done: dict[str, Any], mistakes: int) -> str:
    carried = done["carried"]
    text = f"{y}年：下发{len(done['issued'])}个台账"
    if carried:
        text += f"（{len(carried)}个支部预填了以前年度报送的党员名册，共{sum(carried.values())}名党员）"
    text += f"，{len(done['returns'])}个支部报回" + (f"（含{mistakes}处常见错误）" if mistakes else "")
    if done["late"]:
        text += f"，{'、'.join(done['late'])}逾期报送"
    if done["missing"]:
        text += f"，{'、'.join(done['missing'])}这一年没有报送"
    if done["withheld"]:
        text += f"，{'、'.join(done['withheld'])}尚未报送"
    return text


def _round_line(y: int, done: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    return {"year": y, "issued": len(done["issued"]), "returns": len(done["returns"]),
            "carried_from": done["carried_from"], "missing": done["missing"], "withheld": done["withheld"],
            "late": done["late"], "collect": counts}


def _return_days(rng: random.Random, branch_list: list[Any], fills: dict[str, Any], mistakes: list[Any],
                 deadline: date, *, withhold: bool, keep: list[str], missing: list[str]) -> dict[str, date]:
    """The day each branch sent its return: most in the ten days before the deadline, the branch
    that is behind with its meetings three days late; none from the branches `missing` the year,
    and with `withhold` none yet from one clean branch (not one of `keep`)."""
    with_mistakes = {m.branch_code for m in mistakes}
    clean = [b.code for b in branch_list
             if b.code not in with_mistakes and not fills[b.code].lazy and b.code not in keep]
    withheld = rng.choice(clean) if withhold and len(clean) > 1 else None
    days = {}
    for b in branch_list:
        if b.code == withheld or b.code in missing:
            continue
        if fills[b.code].lazy:
            days[b.code] = deadline + timedelta(days=3)
        else:
            days[b.code] = deadline - timedelta(days=rng.randint(0, 9))
    return days


SUB_UNITS_FOLDER = "下级党总支"


def _sub_unit_rows(sub_units: list[Any]) -> list[dict[str, str]]:
    """The 党总支 rows of the committee's 支部名单 (组织类别 党总支: they get no ledger)."""
    return [{**su.row.as_row(), "kind": branches_mod.GENERAL_BRANCH} for su in sub_units]


class _LowerUnits:
    """Each 党总支 as its own workspace in 下级党总支/<name>/, year after year: the committee
    links it once, it imports the key; every year it moves on (`taizhang year`), issues to its
    branches (prefilled from the year before), they fill in, it collects and rolls up, and the
    roll-up goes into the committee's inbox beside the branches' returns."""

    def __init__(self, ws: Workspace, sub_units: list[Any], *, seed: int, years: list[int]):
        from taizhang.demo.years import years_of

        self.ws, self.sub_units, self.years = ws, sub_units, years
        rng = random.Random(f"{seed}-党总支台账")
        self.people = {b.code: years_of(b, years, lambda y: DemoClock(y).as_of, rng=rng)
                       for su in sub_units for b in su.branches}
        self.rng = rng
        self.lower: dict[str, Workspace] = {}

    def round(self, days: DemoClock, inbox: Path, say: Progress) -> list[dict[str, Any]]:
        import shutil

        from taizhang.collect import collect
        from taizhang.demo import fill
        from taizhang.issue import issue_workspace
        from taizhang.issue.workbook import workbook_name
        from taizhang.levels.send import rollup
        from taizhang.workspace.rounds import start_year

        y = days.year
        done = []
        for su in self.sub_units:
            lower = self._workspace(su, days)
            with clock.fixed(days.lower_issued):
                if y != self.years[0]:
                    start_year(lower, y, deadline=days.lower_deadline)
                issue_workspace(lower, on=days.lower_issued.date())
            folder = lower.folder("inbox") / f"{y}年"
            folder.mkdir(exist_ok=True)
            for b in branches_mod.read(lower.branches_path)[0]:
                out = folder / f"{b.name}{y}年台账（报送）.xlsx"
                fill.fill_workbook(lower.root / "outbox" / workbook_name(b, y), out, self.people[b.code][y][1],
                                   lower.definitions)
                sent = datetime.combine(days.lower_deadline - timedelta(days=self.rng.randint(0, 6)), time(10, 0))
                os.utime(out, (sent.timestamp(), sent.timestamp()))
            with clock.fixed(days.rolled_up):
                collect(lower, [folder], as_of=days.rolled_up.date())
                result = rollup(lower, as_of=days.rolled_up.date())
            shutil.copy2(result.path, inbox / result.path.name)
            done.append({"code": su.row.code, "name": su.row.name, "workspace": str(lower.root),
                         "branches": [b.code for b in su.branches], "rollup": str(inbox / result.path.name),
                         "fingerprint": result.identity.fingerprint})
            say(f"{y}年：{su.row.name}在 {SUB_UNITS_FOLDER}/{su.row.name}/ 收集了{len(result.returned)}个支部的台账，"
                "汇总报送文件已放进委员会的 inbox/")
        return done

    def _workspace(self, su: Any, days: DemoClock) -> Workspace:
        """The 党总支's workspace, made (and linked) the first time."""
        from taizhang.levels import links

        if su.row.code in self.lower:
            return self.lower[su.row.code]
        with clock.fixed(days.issued):
            added = links.add(self.ws, su.row.code)
        made = workspace_mod.init(self.ws.root / SUB_UNITS_FOLDER / su.row.name, org=su.org_name, year=days.year,
                                  deadline=days.lower_deadline, code=su.row.code)
        _set_contact(made.config_path, su.row.contact, su.row.phone)
        branches_mod.write_template(made.branches_path, [b.as_row() for b in su.branches])
        with clock.fixed(days.lower_issued):
            links.import_link(made, added.path)
        added.path.unlink()  # handed over and imported: the key file is not kept
        self.lower[su.row.code] = workspace_mod.Workspace(made.root)
        return self.lower[su.row.code]


def _committee_ledger(ws: Workspace, org: str, seed: int, years: list[int], branch_rows: list[Any]) -> None:
    """The office's own ledger (党委工作台账.xlsx) over the demo's years, as the office keeps it."""
    from taizhang import committee
    from taizhang.demo.committee import committee_rows

    committee.write_template(committee.path_of(ws), org=org, rows=committee_rows(seed, years, branch_rows))


def _set_contact(path: Path, contact: str, phone: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace('contact = ""', f'contact = "{contact}"', 1).replace('phone = ""', f'phone = "{phone}"', 1)
    atomic_write_text(path, text)


def _consolidate(ws: Workspace, as_of: date, say: Progress) -> list[str]:
    from taizhang.consolidate import consolidate

    result = consolidate(ws, as_of=as_of)
    paths = [str(p) for p in result.paths]
    say("已汇总：" + "、".join(Path(p).name for p in paths) + "（output/）")
    return paths


def _reports(ws: Workspace, as_of: date, say: Progress) -> list[str]:
    from taizhang.reports.generate import generate_all

    paths = [str(p) for p in generate_all(ws, as_of=as_of)]
    say(f"已生成 {len(paths)} 份报告（output/reports/）：各支部的年度、季度、换届报告和书记述职报告，"
        "党委年度党建工作总结，台账检查情况通报")
    return paths
