"""When a return arrived, and whether it may replace the branch's current one (issue 13).

The branch's own file time is not trusted as it is: it is held between the times the office
knows. It cannot be earlier than the workbook was issued, nor earlier than the last collect run
that did not yet see the file (the file arrived after that run: backdating cannot hide 逾期),
nor later than this collect run (a file dated 2099 cannot stay current forever). The returns of
a branch are ordered by this bounded time.

A return that would become current is held instead (stored, shown, not used) when the office
should decide first: an unverified return after a verified one (the signature proves which
issued workbook a return is; a workbook without it could be anyone's), or a blank workbook
after a filled one. `taizhang collect --accept FILE` accepts it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from taizhang import catalog, clock
from taizhang.problems import Problem
from taizhang.records import BranchReturn

RUN_KEY = "last_collect_at"  # store meta: when the last collect run looked at its files
# Ledgers the office prefills when it issues a workbook (issue.carry): rows there are not the
# branch's own work of the year.
PREFILLED = ("roster", "recruitment", "dues")


def run_moment(as_of: date) -> datetime:
    """The moment of this collect run: now, or the end of `as_of` when that is earlier (a run
    told it is an earlier day: a file cannot have arrived after that day)."""
    return min(clock.now().replace(microsecond=0), datetime.combine(as_of, time(23, 59, 59)))


def run_start(as_of: date) -> datetime:
    """When this run saw its files at the latest, as the next run's lower bound: now, or the
    start of `as_of` when that is earlier (the hour of a run told it is an earlier day is not
    known: a file that the next run finds arrived after that day began)."""
    return min(clock.now().replace(microsecond=0), datetime.combine(as_of, time(0, 0, 0)))


def _parse(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def _shown(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def bound_time(file_time: str, *, issued_at: str = "", previous_run: str = "",
               run_at: datetime) -> tuple[str, Problem | None]:
    """The time a return counts as sent: the file's own time held between the issue time (and
    the last collect run before this one) and this run. FILE-TIME (提示) says when it was moved."""
    own = _parse(file_time)
    if own is None:
        return run_at.isoformat(timespec="seconds"), None
    used, reason = own, ""
    issued = _parse(issued_at)
    previous = _parse(previous_run)
    # A bound later than this run (a run or an issue dated after this run's --as-of) says nothing.
    if previous is not None and previous >= run_at:
        previous = None
    if issued is not None and issued > run_at:
        issued = None
    if own > run_at:
        used, reason = run_at, f"晚于这次收集的时间（{_shown(run_at)}），不可能是真实的报送时间（发送方电脑的时钟可能不准）"
    elif previous is not None and own < previous:
        used, reason = previous, (f"但上次收集（{_shown(previous)}）时还没有收到这个文件，"
                                  "它是在那以后才放进来的")
    elif issued is not None and own < issued:
        used, reason = issued, f"早于这本台账的下发时间（{_shown(issued)}）"
    if not reason:
        return file_time, None
    stamp = used.isoformat(timespec="seconds")
    return stamp, catalog.make("FILE-TIME", file_time=_shown(own), reason=reason, used=_shown(used))


def blank(ret: BranchReturn) -> bool:
    """Whether the return holds nothing the branch wrote for the year: no row in a ledger the
    office does not prefill, and an empty 年度小结."""
    for led in ret.ledgers.values():
        if led.ledger_id in PREFILLED:
            continue
        for row in led.rows:
            if any(v not in (None, "") for v in row.values.values()):
                return False
    return True


def hold_reason(store: Any, ret: BranchReturn, *, verified: bool, submitted_at: str, sha256: str,
                display: str, accepted: Collection[str], contradicted: bool = False) -> tuple[str, Problem | None]:
    """("unverified" | "blank" | "content" | "", RETURN-HELD) for a return about to be stored:
    held when it would replace the branch's current return and the office should decide first,
    or when its content contradicts its identity (`contradicted`, said by ID-CONTENT)."""
    if sha256 in accepted:
        return "", None
    if contradicted:  # said by ID-CONTENT; held whether or not the branch has a return yet
        return "content", None
    current = store.submissions(year=ret.year, branch_code=ret.branch_code, current_only=True)
    if not current or submitted_at < current[0].submitted_at:
        return "", None  # it would not become current anyway
    cur = current[0]
    reason = ""
    if cur.verified and not verified:
        reason = "它没有可核实的身份签名（不是用下发的原始工作簿填写的，或身份信息被删除），而原来的那份是签名核实过的"
        kind = "unverified"
    elif blank(ret) and not _blank_stored(store, cur.id):
        reason = "它是空白的（除下发时预先填好的内容外什么都没有填写），而原来的那份填写过"
        kind = "blank"
    if not reason:
        return "", None
    when = _parse(cur.submitted_at)
    problem = catalog.make("RETURN-HELD", current=cur.file_name, current_time=_shown(when) if when else cur.submitted_at,
                           reason=reason, file=Path(display).name)
    return kind, problem


def _blank_stored(store: Any, sid: int) -> bool:
    return blank(store.load_return(sid))


def accept_files(store: Any, paths: Collection[Path], max_bytes: int) -> tuple[set[str], list[str]]:
    """The SHA-256 of each file the office accepts (`collect --accept`), and what became of the
    ones already stored and held (accepted now: they may become current)."""
    from taizhang.collect.files import sha256_bytes
    from taizhang.reading import ReadLimits, UnreadableFile, read_bounded

    shas: set[str] = set()
    notes: list[str] = []
    for path in paths:
        try:
            sha = sha256_bytes(read_bounded(path, ReadLimits(max_file_bytes=max_bytes)))
        except UnreadableFile as exc:
            notes.append(f"{Path(path).name}：无法读取（{exc.reason}），未接收。")
            continue
        shas.add(sha)
        sub = store.accept(sha)
        if sub is not None:
            state = "现在作为当前台账使用" if sub.is_current else "但本支部还有报送时间更晚的台账，仍以那份为准"
            notes.append(f"{Path(path).name}：已确认接收为{sub.branch_code} {sub.branch_name}的台账，{state}。")
    return shas, notes


def previous_run(store: Any) -> str:
    return store.meta_value(RUN_KEY)


def record_run(store: Any, run_at: datetime) -> None:
    """Remember this run (the next run's files arrived after it), never moving it back."""
    before = _parse(store.meta_value(RUN_KEY))
    if before is None or run_at > before:
        store.set_meta_value(RUN_KEY, run_at.isoformat(timespec="seconds"))


# --- the content against the identity ---------------------------------------------------------
# A signature proves which issued workbook a return is; anything in a file can be copied, the
# signed _meta sheet and properties included. What a copy does not bring along is the branch's
# own content: its members. A return whose 党员名册 has little in common with the roster the
# branch sent before (this year's current return, or its latest earlier one) is held (ID-CONTENT).
MIN_REFERENCE = 3  # a roster this small says too little to judge by


def reference_rosters(store: Any, year: int) -> dict[str, frozenset[str]]:
    """Branch code → the member names (compared form) of its latest current return up to `year`."""
    import json

    from taizhang.party.hosts import name_key

    latest: dict[str, int] = {}
    for r in store.conn.execute("SELECT id, branch_code FROM submissions WHERE is_current = 1 AND year <= ?"
                                " ORDER BY year, id", (year,)):
        latest[r["branch_code"]] = r["id"]
    out: dict[str, frozenset[str]] = {}
    for code, sid in latest.items():
        names = set()
        for r in store.conn.execute("SELECT data FROM rows WHERE submission_id = ? AND ledger = 'roster'", (sid,)):
            value = json.loads(r["data"]).get("name")
            if isinstance(value, str) and name_key(value):
                names.add(name_key(value))
        if len(names) >= MIN_REFERENCE:
            out[code] = frozenset(names)
    return out


def content_problem(ret: BranchReturn, branch_name: str, rosters: dict[str, frozenset[str]],
                    names_of: dict[str, str]) -> Problem | None:
    """ID-CONTENT when the return's members are mostly not the branch's (fewer than half of the
    smaller roster in common); names the branch whose roster they match, when there is one."""
    from taizhang.party.hosts import name_key

    reference = rosters.get(ret.branch_code)
    names = {name_key(str(v)) for row in ret.rows("roster") if (v := row.values.get("name"))} - {""}
    if not reference or len(names) < MIN_REFERENCE:
        return None
    common = len(reference & names)
    if common * 2 >= min(len(reference), len(names)):
        return None
    reason = f"党员名册的{len(names)}人中只有{common}人在该支部此前报送的名册（{len(reference)}人）中"
    others = sorted(((len(other & names), code) for code, other in rosters.items()
                     if code != ret.branch_code), reverse=True)
    if others and others[0][0] * 2 > len(names):
        code = others[0][1]
        reason += f"，却有{others[0][0]}人在“{names_of.get(code, code)}”的名册中"
    return catalog.make("ID-CONTENT", branch=branch_name, reason=reason)
