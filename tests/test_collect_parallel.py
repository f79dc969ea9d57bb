"""collect --workers: the same results, in the same order, as one process; bad files contained."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import copy_demo, invoke

from taizhang import workspace
from taizhang.collect.feedback import feedback_name
from taizhang.workspace.store import Store

AS_OF = "2026-01-10"
INBOX = "inbox/2025年"


@pytest.fixture(scope="module")
def demo_returns_copy(demo_returns, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's filled returns and roll-ups of its last year in inbox/2025年/ (the earlier years
    are collected), plus a damaged file and a second copy of one."""
    ws, _ = copy_demo(demo_returns, tmp_path_factory.mktemp("parallel") / "demo")
    root = ws.root
    inbox = root / INBOX
    (inbox / "损坏的台账.xlsx").write_bytes(b"PK\x03\x04 not really a workbook" * 10)
    first = sorted(inbox.glob("*报送*.xlsx"))[0]
    shutil.copy(first, inbox / "zz再次报送.xlsx")
    return root


def _collect(runner, root: Path, workers: int) -> dict:
    result = invoke(runner, "-w", root, "collect", root / INBOX, "--as-of", AS_OF, "--workers", str(workers), "--json")
    assert result.exit_code == 2, result.output  # the damaged file could not be read
    return json.loads(result.stdout.replace(str(root), "<ws>"))


def _stored(root: Path) -> list[tuple]:
    with Store.open(workspace.Workspace(root).store_path) as store:
        subs = store.submissions(year=2025)
        return [(s.branch_code, s.file_name, s.errors, s.warnings, s.infos,
                 [r.values for led in store.load_return(s.id).ledgers.values() for r in led.rows],
                 [p.to_dict() for p in store.problems(s.id)]) for s in subs]


def test_two_workers_collect_exactly_what_one_process_collects(runner, demo_returns_copy, tmp_path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(demo_returns_copy, one)
    shutil.copytree(demo_returns_copy, two)
    alone = _collect(runner, one, 1)
    pooled = _collect(runner, two, 2)
    assert pooled == alone
    names = [Path(f["file"]).name for f in pooled["files"]]
    assert names == sorted(p.name for p in (two / INBOX).iterdir())  # the order files were found in
    assert pooled["counts"]["无法读取"] == 1 and pooled["counts"]["已收过"] == 1
    assert sum(pooled["counts"].values()) == len(names) >= 14
    damaged = next(f for f in pooled["files"] if f["file"].endswith("损坏的台账.xlsx"))
    assert damaged["outcome"] == "无法读取" and "请用Excel或WPS打开" in damaged["message"]
    assert _stored(two) == _stored(one)
    feedback = sorted(p.name for p in (two / "feedback").iterdir())
    assert feedback == sorted(p.name for p in (one / "feedback").iterdir())
    assert feedback and all(not name.startswith(".") for name in feedback)  # no temporary files left
    for f in pooled["files"]:  # each return's feedback is its own branch's
        if f["feedback"]:
            assert f["feedback"] == f"<ws>/feedback/{feedback_name(f['branch_code'], f['branch_name'])}"


def test_a_second_run_with_workers_finds_every_file_collected(runner, demo_returns_copy, tmp_path) -> None:
    root = tmp_path / "again"
    shutil.copytree(demo_returns_copy, root)
    _collect(runner, root, 2)
    again = _collect(runner, root, 2)
    files = len(list((root / INBOX).iterdir()))
    assert again["counts"] == {"已收过": files - 1, "无法读取": 1}


def test_a_file_whose_worker_died_is_reported_unreadable_with_a_chinese_message(tmp_path) -> None:
    from taizhang.collect import _failed
    from taizhang.collect.files import Candidate
    from taizhang.collect.pool import Failed
    from taizhang.collect.process import file_result as _result
    from taizhang.vocabulary import UNREADABLE

    path = tmp_path / "一支部.xlsx"
    path.write_bytes(b"PK\x03\x04 whatever")
    processed = _failed(Candidate(path, str(path), "2026-01-08T10:00:00"), Failed(True, "处理这个文件的进程意外退出"))
    result = _result(processed)
    assert processed.outcome == UNREADABLE and result.outcome == "无法读取"
    assert "意外退出" in result.message and "其余文件已照常收集" in result.message
    error = _failed(Candidate(path, str(path), "2026-01-08T10:00:00"), Failed(False, "KeyError: 'x'"))
    assert "KeyError: 'x'" in _result(error).message
