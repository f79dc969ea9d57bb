#!/usr/bin/env python3
"""The performance harness of taizhang (not part of the test run).

    python benchmarks/run.py --n 100 500 2000

For each N it builds a workspace of N branches, issues their workbooks and fills them the way
the demo does (taizhang.demo.data + taizhang.demo.fill, scaled: rosters of 8–80 members, a year of
meetings, activities, dues and recruitment, a few planted mistakes in every dozen branches).
That is setup and is not measured. Then it measures, on the same files:

- issue          `taizhang issue` for the N branches
- bare           bare xlsxwriter writing the same cells into N workbooks (the writing floor)
- baseline       pandas: read_excel(engine="openpyxl") of every sheet of every return, concatenated
- floor          python-calamine reading every cell of every return, nothing else
- collect-1      `taizhang collect --workers 1` (read, identify, validate, store, feedback)
- collect-1-nofb the same without feedback workbooks (what reading and checking alone cost)
- collect-2      `taizhang collect --workers 2` (on a fresh store, same files)
- consolidate    `taizhang consolidate`
- report-branch  `taizhang report 支部年度工作报告 --all`
- report-cttee   `taizhang report 党委年度党建工作总结`

Every measured step runs in a fresh subprocess (interpreter start and imports included, as a
user experiences it); its peak memory is the child's ru_maxrss (os.wait4), and for steps that
start worker processes also the peak of the summed RSS of the process tree, sampled every 20 ms.
Results are printed and written to benchmarks/out/results.json and results.md.

pandas (for the baseline) is in the optional extra `bench`: pip install -e '.[bench]'. Without
it the baseline is reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"
YEAR = 2025
AS_OF = date(YEAR + 1, 1, 10)
DEADLINE = date(YEAR + 1, 1, 15)
ORG = "中共青禾市交通运输局委员会"
MISTAKE_GROUP = 12  # mistakes are planted as in the demo: in 3–4 of every 12 branches
REPORT_BRANCH = "支部年度工作报告"
REPORT_COMMITTEE = "党委年度党建工作总结"

STEPS = ("issue", "bare", "baseline", "floor", "collect-1", "collect-1-nofb", "collect-2", "consolidate",
         "report-branch", "report-cttee")
DESCRIPTIONS = {
    "issue": "taizhang issue",
    "bare": "xlsxwriter 直接写同样的单元格",
    "baseline": "pandas read_excel(openpyxl) 读全部工作表并合并",
    "floor": "python-calamine 读全部单元格",
    "collect-1": "taizhang collect --workers 1",
    "collect-1-nofb": "taizhang collect --workers 1 --no-feedback",
    "collect-2": "taizhang collect --workers 2",
    "consolidate": "taizhang consolidate",
    "report-branch": f"taizhang report {REPORT_BRANCH} --all",
    "report-cttee": f"taizhang report {REPORT_COMMITTEE}",
}


# --- results -------------------------------------------------------------------------------------
@dataclass
class Measurement:
    """One measured step at one N."""

    step: str
    n: int
    seconds: float | None = None
    cpu_seconds: float | None = None  # user + system time of the child and the children it waited for
    maxrss_mb: float | None = None  # ru_maxrss of the child (the largest process of its tree)
    tree_mb: float | None = None  # peak of the summed RSS of the child and its workers (sampled)
    skipped: str = ""  # why the step did not run
    failed: str = ""  # why the step failed (exit status and the end of its stderr)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ms_per_file(self) -> float | None:
        """Milliseconds per file (per branch)."""
        if self.seconds is None or not self.n:
            return None
        return self.seconds * 1000 / self.n


@dataclass
class Run:
    """Every measurement of one harness run, and the machine it ran on."""

    machine: dict[str, Any]
    measurements: list[Measurement] = field(default_factory=list)
    setup_seconds: dict[int, float] = field(default_factory=dict)

    def get(self, step: str, n: int) -> Measurement | None:
        return next((m for m in self.measurements if m.step == step and m.n == n), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "setup_seconds": {str(k): v for k, v in self.setup_seconds.items()},
            "measurements": [{**asdict(m), "ms_per_file": m.ms_per_file} for m in self.measurements],
            "ratios": ratios(self),
        }


def machine_info() -> dict[str, Any]:
    """Cores, CPU model, RAM, Python and library versions of this machine."""
    cpu = platform.processor() or platform.machine()
    ram = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    versions = {}
    for name in ("taizhang", "python_calamine", "xlsxwriter", "openpyxl", "pandas"):
        try:
            from importlib.metadata import version

            versions[name] = version(name.replace("_", "-"))
        except Exception:
            versions[name] = None
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": ram, "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions,
            "date": datetime.now().isoformat(timespec="seconds")}


# --- generation (setup, not measured) --------------------------------------------------------------
_UNITS = ("机关", "办公室", "财务审计处", "综合规划处", "人事教育处", "法规处", "信息中心", "公路事业发展中心",
          "运输服务中心", "综合行政执法支队", "质量安全监督站", "公路养护站", "港航管理中心", "城市客运管理处",
          "物流发展中心", "交通工程公司", "路政大队", "收费管理站", "科研所", "后勤服务中心")
_ORDINALS = "一二三四五六七八九十"


def _ordinal(k: int) -> str:
    if k <= 10:
        return _ORDINALS[k - 1]
    tens, ones = divmod(k, 10)
    return (_ORDINALS[tens - 1] if tens > 1 else "") + "十" + (_ORDINALS[ones - 1] if ones else "")


@dataclass(frozen=True)
class BenchBranch:
    """One generated branch: its row in 支部名单.xlsx, and the roster size and profile."""

    code: str
    name: str
    secretary: str
    contact: str
    phone: str
    size: int
    profile: str


def branch_plan(n: int, seed: int) -> list[BenchBranch]:
    """N branches with unique names, rosters of 8–80 (most small, a few large) and profiles:
    about one in ten 离退休, one in twelve 学生, the rest in-service."""
    from taizhang.demo.people import NameSource as _Names

    rng = random.Random(f"plan:{seed}")
    names = _Names(rng)
    per_unit: dict[str, int] = {}
    out = []
    for i in range(1, n + 1):
        unit = _UNITS[rng.randrange(len(_UNITS))]
        roll = rng.random()
        size = int(8 + 72 * rng.random() ** 3)
        if roll < 0.10:
            kind, profile, size = "离退休干部", "retired", max(size, 12)
        elif roll < 0.18:
            kind, profile, size = "学生", "student", min(max(size, 10), 30)
        else:
            kind, profile = "", "small" if size <= 9 else "big" if size >= 40 else "regular"
        key = unit + kind
        per_unit[key] = per_unit.get(key, 0) + 1
        name = f"{unit}{kind}第{_ordinal(per_unit[key])}党支部"
        sec_year = rng.randint(1952, 1960) if profile == "retired" else rng.randint(1970, 1990)
        secretary = names.make("男" if rng.random() < 0.6 else "女", sec_year)
        contact = names.make("女" if rng.random() < 0.6 else "男", sec_year + 10)
        out.append(BenchBranch(f"{i:04d}", name, secretary, contact, f"0123-6{i:07d}", size, profile))
    return out


def make_workspace(root: Path, plan: list[BenchBranch]) -> Any:
    """A fresh workspace in `root` with the planned branches on its list."""
    from taizhang import workspace
    from taizhang.workspace import branches as branches_mod

    if root.exists():
        shutil.rmtree(root)
    ws = workspace.init(root, org=ORG, year=YEAR, deadline=DEADLINE, code="QHJTJ")
    rows = [{"code": b.code, "name": b.name, "parent": "", "secretary": b.secretary,
             "contact": b.contact, "phone": b.phone} for b in plan]
    branches_mod.write_template(ws.branches_path, rows)
    return workspace.Workspace(root)


def _fill_group(args: tuple[str, str, list[BenchBranch], int]) -> list[str]:
    """Generate and fill one group of branches (in a worker process); return the files written."""
    from taizhang import workspace
    from taizhang.demo import data as demo_data
    from taizhang.demo import fill
    from taizhang.issue.workbook import workbook_name
    from taizhang.workspace.branches import Branch

    root, inbox, group, seed = args
    ws = workspace.Workspace(Path(root))
    rng = random.Random(f"fill:{seed}:{group[0].code}")
    fills = {}
    for b in group:
        branch = Branch(code=b.code, name=b.name, secretary=b.secretary, contact=b.contact, phone=b.phone)
        fills[b.code] = demo_data.generate_branch(rng, branch, YEAR, AS_OF, size=b.size, profile=b.profile)
    demo_data.plant_mistakes(rng, fills, YEAR)
    out = []
    for b in group:
        branch = Branch(code=b.code, name=b.name)
        target = Path(inbox) / f"{b.name}{YEAR}年台账（报送）.xlsx"
        fill.fill_workbook(ws.root / "outbox" / workbook_name(branch, YEAR), target, fills[b.code], ws.definitions)
        sent = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
        os.utime(target, (sent.timestamp(), sent.timestamp()))
        out.append(str(target))
    return out


def fill_returns(ws_root: Path, inbox: Path, plan: list[BenchBranch], seed: int, jobs: int) -> list[Path]:
    """Fill every issued workbook as its branch would and put the returns in `inbox`."""
    inbox.mkdir(parents=True, exist_ok=True)
    groups = [plan[i:i + MISTAKE_GROUP] for i in range(0, len(plan), MISTAKE_GROUP)]
    work = [(str(ws_root), str(inbox), g, seed) for g in groups]
    if jobs <= 1 or len(groups) == 1:
        done = [_fill_group(w) for w in work]
    else:
        with ProcessPoolExecutor(jobs) as pool:
            done = list(pool.map(_fill_group, work))
    return [Path(p) for paths in done for p in paths]


# --- measuring -------------------------------------------------------------------------------------
# The measured program is started by this small launcher, itself a fresh interpreter: a child's
# ru_maxrss includes the memory of the process it was forked from (Linux keeps the high-water mark
# across exec), and the harness process is large after generating data.
LAUNCHER = r"""
import json, os, sys, time
cmd, out, err, cwd = json.loads(sys.argv[1])
fo = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
fe = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
if cwd:
    os.chdir(cwd)
start = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ, file_actions=[
    (os.POSIX_SPAWN_DUP2, fo, 1), (os.POSIX_SPAWN_DUP2, fe, 2)])
_pid, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss,
                  "exit": os.waitstatus_to_exitcode(status)}))
"""


def _tree_rss_kb(pid: int, *, include_self: bool = True) -> int:
    """The summed VmRSS of `pid` (unless not `include_self`) and all its descendants (Linux
    /proc); 0 where unknown."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            if include_self or p != pid:
                for line in Path(f"/proc/{p}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(x) for x in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def measure(step: str, n: int, cmd: list[str], *, log_dir: Path, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> Measurement:
    """Run `cmd` in a fresh process; its wall time, ru_maxrss and sampled tree RSS."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{step}-{n}.out", log_dir / f"{step}-{n}.err"
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", **(env or {})}
    arg = json.dumps([cmd, str(out_path), str(err_path), str(cwd) if cwd else ""])
    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None  # others using the machine
    proc = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, arg], stdout=subprocess.PIPE,
                            env=full_env)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid, include_self=False))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc").is_dir():
        sampler.start()
    report, _ = proc.communicate()
    stop.set()
    if proc.returncode != 0:
        return Measurement(step, n, failed=f"launcher exit {proc.returncode}")
    got = json.loads(report)
    m = Measurement(step, n, got["seconds"], round(got["cpu"], 3), round(got["maxrss_kb"] / 1024, 1),
                    round(peak[0] / 1024, 1) if peak[0] else None)
    m.detail["load_before"] = load
    if got["exit"] != 0:
        tail = err_path.read_text(encoding="utf-8", errors="replace")[-600:]
        m.failed = f"exit {got['exit']}: {tail.strip()}"
    return m


def taizhang_cmd(ws_root: Path, *args: str) -> list[str]:
    """The command line running the taizhang CLI with this interpreter."""
    return [sys.executable, "-c", "from taizhang.cli import main; main()", "-w", str(ws_root), *args]


def _this(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def has_pandas() -> bool:
    """Whether the baseline can run (pandas installed)."""
    import importlib.util

    return importlib.util.find_spec("pandas") is not None


def _help(ws_root: Path, command: str) -> str | None:
    """The --help text of a taizhang command, or None when there is no such command."""
    proc = subprocess.run(taizhang_cmd(ws_root, command, "--help"), capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    return proc.stdout if proc.returncode == 0 else None


def has_option(ws_root: Path, command: str, option: str) -> bool:
    """Whether `taizhang <command>` takes `option`."""
    return option in (_help(ws_root, command) or "")


def has_report_command(ws_root: Path) -> bool:
    """Whether this taizhang has the report command (`taizhang report --help` succeeds)."""
    return _help(ws_root, "report") is not None


def _report_options(ws_root: Path) -> list[str]:
    return ["--as-of", AS_OF.isoformat()] if has_option(ws_root, "report", "--as-of") else []


def reset_collect(ws_root: Path, snapshot: Path) -> None:
    """Put the store back as it was after issue, and empty archive/ and feedback/."""
    state = ws_root / ".taizhang"
    for suffix in ("-wal", "-shm"):
        (state / f"store.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copyfile(snapshot, state / "store.sqlite3")
    for folder in ("archive", "feedback"):
        shutil.rmtree(ws_root / folder, ignore_errors=True)
        (ws_root / folder).mkdir()


def collected_counts(ws_root: Path) -> dict[str, int]:
    """What the store holds after a collect (checked, so that a step cannot pass doing nothing)."""
    import sqlite3

    conn = sqlite3.connect(ws_root / ".taizhang" / "store.sqlite3")
    try:
        subs = conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        rows = conn.execute("SELECT COUNT(*) FROM rows").fetchone()[0]
        problems = conn.execute("SELECT COUNT(*) FROM problems").fetchone()[0]
        refused = conn.execute("SELECT COUNT(*) FROM files WHERE outcome != 'stored'").fetchone()[0]
    finally:
        conn.close()
    feedback = len(list((ws_root / "feedback").glob("*.xlsx")))
    return {"submissions": subs, "rows": rows, "problems": problems, "refused": refused, "feedback": feedback}


def best_of(repeat: int, once: Any) -> Measurement:
    """The fastest of `repeat` runs of `once()` (the one least disturbed by anything else running
    on the machine); a failed run is returned at once."""
    best: Measurement | None = None
    for _ in range(max(1, repeat)):
        m = once()
        if m.failed or m.skipped:
            return m
        if best is None or (m.seconds or 0) < (best.seconds or 0):
            best = m
    assert best is not None
    return best


def run_n(n: int, out: Path, *, seed: int, jobs: int, steps: Iterable[str], keep: bool,
          repeat: int = 1, say: Any = print) -> tuple[list[Measurement], float]:
    """Generate N returns and measure every step on them (each `repeat` times, keeping the
    fastest); return the measurements and the setup time."""
    steps = [s for s in STEPS if s in set(steps)]
    base = out / f"n{n}"
    ws_root, inbox, logs = base / "ws", base / "returns", base / "logs"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    setup = 0.0
    t = time.perf_counter()
    plan = branch_plan(n, seed)
    make_workspace(ws_root, plan)
    setup += time.perf_counter() - t
    results: list[Measurement] = []

    def record(m: Measurement) -> Measurement:
        results.append(m)
        shown = "跳过：" + m.skipped if m.skipped else ("失败：" + m.failed if m.failed else
                                                        f"{m.seconds:.2f} s, {m.ms_per_file:.1f} ms/个, 峰值 {m.maxrss_mb} MB")
        say(f"  N={n} {m.step:<14} {shown}")
        return m

    # issue is measured on the fresh workspace; its workbooks are the ones the branches fill in.
    # A repeated issue rewrites them (--force): the same work.
    runs = iter(range(repeat))
    m = best_of(repeat if "issue" in steps else 1, lambda: measure(
        "issue", n, taizhang_cmd(ws_root, "issue", *(["--force"] if next(runs, 0) else [])), log_dir=logs))
    if "issue" in steps:
        record(m)
    if m.failed:
        raise RuntimeError(f"taizhang issue failed at N={n}: {m.failed}")
    if "bare" in steps:
        spec = base / "bare-spec.json"
        write_bare_spec(next((ws_root / "outbox").glob("*.xlsx")), spec)
        bare_out = base / "bare"
        record(best_of(repeat, lambda: measure(
            "bare", n, _this("--child", "bare", str(spec), str(bare_out), str(n)), log_dir=logs)))
        shutil.rmtree(bare_out, ignore_errors=True)
    t = time.perf_counter()
    files = fill_returns(ws_root, inbox, plan, seed, jobs)
    setup += time.perf_counter() - t
    say(f"  N={n} 已生成 {len(files)} 个报回的台账（{time.perf_counter() - t:.0f} s，不计入测量）")
    listing = base / "files.txt"
    listing.write_text("\n".join(str(p) for p in files), encoding="utf-8")
    if "baseline" in steps:
        if has_pandas():
            record(best_of(repeat, lambda: measure(
                "baseline", n, _this("--child", "baseline", str(listing)), log_dir=logs)))
        else:
            record(Measurement("baseline", n, skipped="pandas 未安装（pip install -e '.[bench]'）"))
    if "floor" in steps:
        record(best_of(repeat, lambda: measure("floor", n, _this("--child", "floor", str(listing)), log_dir=logs)))
    snapshot = base / "store-after-issue.sqlite3"
    shutil.copyfile(ws_root / ".taizhang" / "store.sqlite3", snapshot)
    collected = False
    parallel = has_option(ws_root, "collect", "--workers")
    for step, workers, extra in (("collect-1", 1, []), ("collect-1-nofb", 1, ["--no-feedback"]),
                                 ("collect-2", 2, [])):
        if step not in steps:
            continue
        if not parallel and workers > 1:
            record(Measurement(step, n, skipped="collect 没有 --workers 选项"))
            continue
        option = ["--workers", str(workers)] if parallel else []

        def once() -> Measurement:
            reset_collect(ws_root, snapshot)
            m = measure(step, n, taizhang_cmd(ws_root, "collect", str(inbox), *option, *extra,
                                              "--as-of", AS_OF.isoformat()), log_dir=logs)
            m.detail.update(collected_counts(ws_root))
            if not m.failed and m.detail["submissions"] != n:
                m.failed = f"只收到 {m.detail['submissions']} 个报送（应为 {n} 个）"
            return m

        m = record(best_of(repeat, once))
        collected = not m.failed and not extra  # what later steps read (with feedback written)
    later = [s for s in ("consolidate", "report-branch", "report-cttee") if s in steps]
    if later and not collected:
        reset_collect(ws_root, snapshot)
        subprocess.run(taizhang_cmd(ws_root, "collect", str(inbox), "--as-of", AS_OF.isoformat()),
                       capture_output=True, check=True)
    if "consolidate" in steps:
        record(best_of(repeat, lambda: measure(
            "consolidate", n, taizhang_cmd(ws_root, "consolidate", "--as-of", AS_OF.isoformat()), log_dir=logs)))
    reports = {"report-branch": [REPORT_BRANCH, "--all"], "report-cttee": [REPORT_COMMITTEE]}
    todo = [s for s in reports if s in steps]
    if todo:
        available = has_report_command(ws_root)
        options = _report_options(ws_root) if available else []
        for step in todo:
            if not available:
                record(Measurement(step, n, skipped="no report command"))
                continue
            record(best_of(repeat, lambda: measure(
                step, n, taizhang_cmd(ws_root, "report", *reports[step], *options), log_dir=logs)))
    if not keep:
        shutil.rmtree(ws_root, ignore_errors=True)
        shutil.rmtree(inbox, ignore_errors=True)
        snapshot.unlink(missing_ok=True)
    return results, setup


# --- the comparison programs (run as children) -------------------------------------------------------
def write_bare_spec(workbook: Path, spec: Path) -> None:
    """Every cell of an issued workbook (value or formula, number format) as JSON, for `bare`."""
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    sheets = []
    for ws in wb.worksheets:
        cells = []
        for (r, c), cell in sorted(ws._cells.items()):
            value = cell.value
            if isinstance(value, datetime):
                kind, value = "d", value.isoformat()
            elif isinstance(value, date):
                kind, value = "d", datetime.combine(value, datetime.min.time()).isoformat()
            elif cell.data_type == "f":
                kind, value = "f", str(value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                kind = "n"
            elif value is None:
                kind = "b"
            else:
                kind, value = "s", str(value)
            cells.append([r - 1, c - 1, kind, value, cell.number_format])
        sheets.append({"name": ws.title, "cells": cells})
    wb.close()
    spec.write_text(json.dumps(sheets, ensure_ascii=False), encoding="utf-8")


def child_bare(spec: Path, out_dir: Path, n: int) -> None:
    """Write N workbooks with the cells of `spec` using xlsxwriter alone, as fast as it goes
    (one format per number format, parts assembled in memory)."""
    import xlsxwriter

    sheets = json.loads(spec.read_text(encoding="utf-8"))
    for s in sheets:
        for cell in s["cells"]:
            if cell[2] == "d":
                cell[3] = datetime.fromisoformat(cell[3])
    out_dir.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        wb = xlsxwriter.Workbook(str(out_dir / f"{i:05d}.xlsx"), {"in_memory": True})
        formats: dict[str, Any] = {}
        for s in sheets:
            sh = wb.add_worksheet(s["name"])
            for r, c, kind, value, num_format in s["cells"]:
                fmt = formats.get(num_format)
                if fmt is None:
                    fmt = formats[num_format] = wb.add_format({"num_format": num_format, "border": 1})
                if kind == "s":
                    sh.write_string(r, c, value, fmt)
                elif kind == "n":
                    sh.write_number(r, c, value, fmt)
                elif kind == "d":
                    sh.write_datetime(r, c, value, fmt)
                elif kind == "f":
                    sh.write_formula(r, c, value, fmt, "")
                else:
                    sh.write_blank(r, c, None, fmt)
        wb.close()


def child_floor(listing: Path) -> None:
    """python-calamine reading every cell of every sheet of every file."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in listing.read_text(encoding="utf-8").splitlines():
        wb = CalamineWorkbook.from_path(path)
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python():
                cells += len(row)
    print(json.dumps({"cells": cells}))


def child_baseline(listing: Path) -> None:
    """What an office would write instead: pandas reads every sheet of every return and
    concatenates them per sheet (reading only, no checks)."""
    import pandas as pd

    frames: dict[str, list[Any]] = {}
    for path in listing.read_text(encoding="utf-8").splitlines():
        book = pd.read_excel(path, sheet_name=None, engine="openpyxl", header=1)
        for name, df in book.items():
            df["来源文件"] = Path(path).name
            frames.setdefault(name, []).append(df)
    combined = {name: pd.concat(dfs, ignore_index=True) for name, dfs in frames.items()}
    print(json.dumps({name: len(df) for name, df in combined.items()}, ensure_ascii=False))


# --- report ------------------------------------------------------------------------------------------
def ratios(run: Run) -> dict[str, dict[str, float | None]]:
    """collect vs baseline, collect vs floor, issue vs bare, at each N (same run, same files)."""
    out: dict[str, dict[str, float | None]] = {}
    for n in sorted({m.n for m in run.measurements}):
        def sec(step: str) -> float | None:
            m = run.get(step, n)
            return m.seconds if m and m.seconds is not None and not m.failed else None

        def div(a: float | None, b: float | None) -> float | None:
            return round(a / b, 2) if a is not None and b else None

        def cpu(step: str) -> float | None:
            m = run.get(step, n)
            return m.cpu_seconds if m and m.cpu_seconds is not None and not m.failed else None

        c1 = sec("collect-1")
        out[str(n)] = {
            "baseline/collect-2": div(sec("baseline"), sec("collect-2")),
            "baseline/collect-1": div(sec("baseline"), c1),
            "collect-1/floor": div(c1, sec("floor")),
            "collect-1/floor (CPU)": div(cpu("collect-1"), cpu("floor")),
            "collect-1-nofb/floor": div(sec("collect-1-nofb"), sec("floor")),
            "collect-2/floor": div(sec("collect-2"), sec("floor")),
            "collect-1/collect-2": div(c1, sec("collect-2")),
            "issue/bare": div(sec("issue"), sec("bare")),
        }
    return out


def goal_lines(run: Run) -> list[str]:
    """Whether the run meets the goals: collect at the default workers at least 10× faster than
    the pandas script at N=100; collect on one worker at most 3× the calamine floor at every N;
    collect's peak memory flat in N (the largest N within 1.25× of the smallest)."""
    rs = ratios(run)
    ns = sorted({m.n for m in run.measurements})
    out = []

    def verdict(ok: bool | None) -> str:
        return "未测" if ok is None else ("达到" if ok else "未达到")

    if 100 in ns:
        v = rs["100"].get("baseline/collect-2")
        out.append(f"- pandas 基线 ÷ collect（默认进程数）≥ 10（N=100）：{'' if v is None else v}，{verdict(None if v is None else v >= 10)}")
    for n in ns:
        v = rs[str(n)].get("collect-1/floor")
        c = rs[str(n)].get("collect-1/floor (CPU)")
        if v is not None:
            out.append(f"- collect（1 进程）÷ calamine 下限 ≤ 3（N={n}）：{v}（按 CPU 时间 {c}），{verdict(v <= 3)}")
    if len(ns) > 1:
        a, b = run.get("collect-1", ns[0]), run.get("collect-1", ns[-1])
        if a and b and a.maxrss_mb and b.maxrss_mb:
            r = round(b.maxrss_mb / a.maxrss_mb, 2)
            out.append(f"- collect 峰值内存不随 N 增长（N={ns[-1]} ÷ N={ns[0]} ≤ 1.25）：{r}，{verdict(r <= 1.25)}")
    return out


def linearity(run: Run) -> dict[str, dict[str, float | None]]:
    """Per step: ms per file at the largest N over ms per file at the smallest, and peak memory
    at the largest N over the smallest."""
    ns = sorted({m.n for m in run.measurements})
    out: dict[str, dict[str, float | None]] = {}
    if len(ns) < 2:
        return out
    lo, hi = ns[0], ns[-1]
    for step in STEPS:
        a, b = run.get(step, lo), run.get(step, hi)
        if not a or not b or a.seconds is None or b.seconds is None:
            continue
        out[step] = {
            "time": round(b.ms_per_file / a.ms_per_file, 2) if a.ms_per_file else None,
            "memory": round(b.maxrss_mb / a.maxrss_mb, 2) if a.maxrss_mb and b.maxrss_mb else None,
        }
    return out


def markdown(run: Run) -> str:
    """The results as Markdown tables (the README's 性能 section is copied from this)."""
    ns = sorted({m.n for m in run.measurements})
    mc = run.machine
    lines = [f"机器：{mc['nproc']} 核 {mc['cpu']}，内存 {mc['ram_gb']} GB，Python {mc['python']}"
             f"（{mc['date'][:10]}）", ""]
    head = "| 步骤 | " + " | ".join(f"N={n} 毫秒/个 | N={n} CPU 毫秒/个 | N={n} 峰值内存 MB" for n in ns) + " |"
    lines += [head, "|" + "---|" * (1 + 3 * len(ns))]
    for step in STEPS:
        cells = []
        for n in ns:
            m = run.get(step, n)
            if m is None:
                cells += ["", "", ""]
            elif m.skipped or m.failed:
                cells += [("跳过" if m.skipped else "失败"), "", ""]
            else:
                # Worker processes of collect-2 are not children this process waits for: no CPU
                # figure, and the memory of all its processes together is shown beside its own.
                cpu = "" if step == "collect-2" or m.cpu_seconds is None else f"{m.cpu_seconds * 1000 / n:.1f}"
                mem = f"{m.maxrss_mb:.0f}" + (f"（合计 {m.tree_mb:.0f}）" if step == "collect-2" and m.tree_mb else "")
                cells += [f"{m.ms_per_file:.1f}", cpu, mem]
        if any(cells):
            lines.append(f"| {DESCRIPTIONS[step]} | " + " | ".join(cells) + " |")
    lines += ["", "| 比值 | " + " | ".join(f"N={n}" for n in ns) + " |", "|" + "---|" * (1 + len(ns))]
    rs = ratios(run)
    names = {"baseline/collect-2": "pandas 基线 ÷ collect（2 进程，默认）",
             "baseline/collect-1": "pandas 基线 ÷ collect（1 进程）",
             "collect-1/floor": "collect（1 进程）÷ calamine 下限",
             "collect-1/floor (CPU)": "collect（1 进程）÷ calamine 下限（按 CPU 时间）",
             "collect-1-nofb/floor": "collect（1 进程，不生成反馈表）÷ calamine 下限",
             "collect-2/floor": "collect（2 进程）÷ calamine 下限",
             "collect-1/collect-2": "collect 1 进程 ÷ 2 进程",
             "issue/bare": "issue ÷ xlsxwriter 直接写"}
    for key, label in names.items():
        vals = [rs.get(str(n), {}).get(key) for n in ns]
        lines.append(f"| {label} | " + " | ".join("" if v is None else f"{v:.2f}" for v in vals) + " |")
    lines += ["", "| 峰值内存 MB | " + " | ".join(f"N={n}" for n in ns) + " |", "|" + "---|" * (1 + len(ns))]
    for step in ("floor", "collect-1", "collect-2"):
        vals = [run.get(step, n) for n in ns]
        if any(v and v.maxrss_mb for v in vals):
            lines.append(f"| {DESCRIPTIONS[step]} | " + " | ".join(
                "" if not v or not v.maxrss_mb else f"{v.maxrss_mb:.0f}" + (f"（合计 {v.tree_mb:.0f}）" if v.tree_mb else "")
                for v in vals) + " |")
    goals = goal_lines(run)
    if goals:
        lines += ["", "目标（issue 18）：", *goals]
    lin = linearity(run)
    if lin:
        lines += ["", f"| 步骤 | 每个文件耗时 N={ns[-1]} ÷ N={ns[0]} | 峰值内存 N={ns[-1]} ÷ N={ns[0]} |",
                  "|---|---|---|"]
        for step, v in lin.items():
            lines.append(f"| {DESCRIPTIONS[step]} | {v['time']} | {v['memory']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the harness (or, with --child, one comparison program)."""
    parser = argparse.ArgumentParser(description="taizhang 性能测试")
    parser.add_argument("--n", type=int, nargs="+", default=[100, 500, 2000], help="支部数（可多个）")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出文件夹")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="生成数据用的进程数")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS), help="只测这些步骤")
    parser.add_argument("--repeat", type=int, default=1, help="每个步骤测几次，取最快的一次（机器上还有别的程序在运行时）")
    parser.add_argument("--keep", action="store_true", help="保留生成的工作区和文件")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "bare":
            child_bare(Path(rest[0]), Path(rest[1]), int(rest[2]))
        elif kind == "floor":
            child_floor(Path(rest[0]))
        elif kind == "baseline":
            child_baseline(Path(rest[0]))
        else:
            parser.error(f"unknown child {kind}")
        return 0
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    run = Run(machine_info())
    print(f"机器：{run.machine['nproc']} 核 {run.machine['cpu']}，内存 {run.machine['ram_gb']} GB，"
          f"Python {run.machine['python']}")
    for n in args.n:
        results, setup = run_n(n, out, seed=args.seed, jobs=args.jobs, steps=args.steps, keep=args.keep,
                               repeat=args.repeat)
        run.measurements += results
        run.setup_seconds[n] = round(setup, 1)
    (out / "results.json").write_text(json.dumps(run.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    text = markdown(run)
    (out / "results.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    return 1 if any(m.failed for m in run.measurements) else 0


if __name__ == "__main__":
    sys.exit(main())
