"""The performance harness (benchmarks/run.py) still generates and measures: a tiny run of it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("taizhang_benchmarks_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_branch_plan_is_realistic_and_deterministic(bench) -> None:
    plan = bench.branch_plan(300, seed=7)
    assert plan == bench.branch_plan(300, seed=7)
    assert len({b.name for b in plan}) == len({b.code for b in plan}) == 300
    sizes = [b.size for b in plan]
    assert min(sizes) >= 8 and max(sizes) <= 80 and sum(sizes) / len(sizes) < 40
    profiles = {b.profile for b in plan}
    assert {"regular", "big", "retired", "student"} <= profiles


# One step of each kind (the others run the same code with other options), to stay quick.
STEPS = ("issue", "bare", "baseline", "floor", "collect-2", "consolidate", "report-cttee")


def test_a_tiny_run_generates_returns_and_measures_each_kind_of_step(bench, tmp_path) -> None:
    assert set(STEPS) <= set(bench.STEPS)
    results, setup = bench.run_n(2, tmp_path, seed=3, jobs=1, steps=STEPS, keep=False, say=lambda _m: None)
    by_step = {m.step: m for m in results}
    assert list(by_step) == list(STEPS)
    assert setup > 0
    for m in results:
        assert not m.failed, (m.step, m.failed)
        if m.skipped:
            assert m.step in ("baseline", "report-branch", "report-cttee"), m.step
            continue
        assert m.seconds > 0 and m.maxrss_mb > 0, m.step
    if not bench.has_pandas():
        assert by_step["baseline"].skipped
    assert by_step["collect-2"].detail["submissions"] == 2 and by_step["collect-2"].detail["refused"] == 0
    run = bench.Run(bench.machine_info(), results, {2: setup})
    text = bench.markdown(run)
    assert "taizhang collect --workers 2" in text and "calamine" in text
    assert run.to_dict()["ratios"]["2"]["collect-2/floor"] > 0
    assert "峰值内存 MB" in text and "collect（1 进程）÷ calamine 下限" in text
