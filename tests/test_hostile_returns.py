"""Every case of the hostile-returns corpus (tests/corpus.py) through `taizhang collect`.

Each case's file(s) are collected in one batch with a good return of another branch, in a copy of
a workspace that already holds an earlier submission. The bad file gets a clear Chinese message
naming it; the good file is collected; nothing in the workspace is lost or overwritten; no
traceback; the exit status is 2 when a file failed and 0 when every file was processed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import corpus
import pytest
from conftest import invoke, make_workspace
from corpus import CASES, EARLIER, FAILED, GOOD, Case, Expect, Kit, put
from returns import fill_return

from taizhang.collect import collect
from taizhang.issue import issue_workspace
from taizhang.workspace import Workspace
from taizhang.workspace.store import Store

AS_OF = "2026-01-10"
GOOD_FILE = "机关第一党支部台账.xlsx"
EARLIER_FILE = "离退休干部党支部台账.xlsx"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Any, bytes]]:
    """A workspace with every branch issued and 003's return collected; the kits' shared cache."""
    root = tmp_path_factory.mktemp("hostile")
    ws = make_workspace(root / "ws")
    issue_workspace(ws)
    fill_return(ws, EARLIER, ws.root / "inbox" / EARLIER_FILE)
    collect(ws, as_of=date(2026, 1, 8))  # the day its file is dated (returns.SENT): before the batch
    return ws.root, {}


def _snapshot(root: Path) -> dict[str, str]:
    """Every file of the workspace but the store and the lock, by relative path → sha256."""
    out = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".taizhang/store.sqlite3") and rel != ".taizhang/lock":
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _submissions(ws: Workspace) -> list[tuple[Any, ...]]:
    with Store.open(ws.store_path) as store:
        rows = store.conn.execute("SELECT s.id, s.branch_code, s.sha256, s.is_current,"
                                  " (SELECT COUNT(*) FROM rows r WHERE r.submission_id = s.id),"
                                  " (SELECT COUNT(*) FROM problems p WHERE p.submission_id = s.id)"
                                  " FROM submissions s ORDER BY s.id").fetchall()
    return [tuple(r) for r in rows]


def _find(files: list[dict[str, Any]], name: str) -> dict[str, Any]:
    hits = [f for f in files if f["file"] == name or f["file"].endswith("/" + name)]
    assert len(hits) == 1, (name, [f["file"] for f in files])
    return hits[0]


def corpus_bidi(text: str) -> bool:
    """Whether `text` holds a raw bidi control (JSON may carry it escaped: \\u202e)."""
    return any(ch in text for ch in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _said(f: dict[str, Any], e: Expect) -> None:
    assert f["outcome"] == e.outcome, (e, f["outcome"], [(p["rule_id"], p["message"]) for p in f["problems"]])
    problems = [p for p in f["problems"] if not e.rule or p["rule_id"] == e.rule]
    assert problems, (e, [(p["rule_id"], p["message"]) for p in f["problems"]])
    assert any(all(w in p["message"] for w in e.words) for p in problems), (e, [p["message"] for p in problems])
    if e.outcome in FAILED:
        assert f["message"] and all(w in f["message"] for w in e.words), (e, f["message"])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_return(case: Case, template: tuple[Path, dict[Any, bytes]], runner, tmp_path: Path) -> None:
    if case.needs == "soffice" and corpus.soffice_binary() is None:
        pytest.skip("LibreOffice 未安装")
    root, cache = template
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(root, ws.root)
    kit = Kit(ws, tmp_path / "scratch", cache)
    kit.scratch.mkdir()
    inbox = ws.root / "inbox"
    case.build(kit, inbox)
    put(inbox, GOOD_FILE, kit.good(GOOD))
    shutil.rmtree(kit.scratch)
    before, stored_before = _snapshot(ws.root), _submissions(ws)

    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF, "--json")
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    failed = any(e.outcome in FAILED for e in case.expect)
    assert result.exit_code == (2 if failed else 0), result.output
    for e in case.expect:
        _said(_find(data["files"], e.file), e)
    good = _find(data["files"], GOOD_FILE)
    assert (good["outcome"], good["branch_code"]) == ("已接收", GOOD), good["problems"]
    # nothing lost or overwritten: every file is as it was, earlier submissions stay as they were
    after = _snapshot(ws.root)
    assert {k: after.get(k) for k in before} == before
    stored = _submissions(ws)
    assert stored[: len(stored_before)] == stored_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]
    if case.check is not None:
        case.check(kit, ws.root, data)

    # Again, as a person would run it: the failed files are named with their reason, nothing changes.
    again = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF)
    assert again.exit_code == result.exit_code, again.output
    assert "Traceback" not in again.output and "\x1b" not in again.output
    if case.id == "odd-file-name":  # markup in a file name is shown as typed
        assert "办公室[red]党支部[bold][31m台账😀.xlsx" in again.output
    if case.id == "bidi-file-name":  # no character that reorders the line reaches the terminal
        assert not corpus_bidi(again.output) and not corpus_bidi(result.stdout), again.output
        assert "办公室党支部台账xslx.exe" in again.output
    lines = again.output.splitlines()
    for e in case.expect:
        if e.outcome in FAILED:
            name = Path(e.file).name
            assert any(name in line and all(w in line for w in e.words) for line in lines), (e, again.output)
    assert _submissions(ws) == stored

    # A branch checking a file that collect could not take, itself: a verdict, never a traceback.
    refused = {e.file for e in case.expect if e.outcome not in ("已接收", "需修改", "已收过")}
    built = [p for p in inbox.iterdir() if p.name in refused]
    if built:
        checked = invoke(runner, "validate", "--json", *built)
        assert "Traceback" not in checked.output and checked.exit_code in (0, 1, 2), checked.output
        assert len(json.loads(checked.stdout)) == len(built)


def test_feedback_that_cannot_be_written_does_not_stop_the_batch(template, runner, tmp_path: Path) -> None:
    root, cache = template
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(root, ws.root)
    kit = Kit(ws, tmp_path, cache)
    put(ws.root / "inbox", "a.xlsx", kit.good(corpus.BAD))
    put(ws.root / "inbox", GOOD_FILE, kit.good(GOOD))
    for code, name in ((corpus.BAD, corpus.BAD_NAME), (GOOD, "机关第一党支部")):
        (ws.root / "feedback" / f"{code}_{name}_反馈.xlsx").mkdir()  # where the file should go: blocked
    result = invoke(runner, "-w", ws.root, "collect", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    for name in ("a.xlsx", GOOD_FILE):
        f = _find(files, name)
        assert f["outcome"] == "已接收" and f["submission_id"] and not f["feedback"]
        assert "反馈表未能写入" in f["message"]
    with Store.open(ws.store_path) as store:
        assert sorted(store.current(2025)) == [GOOD, corpus.BAD, EARLIER]


def _context(ws: Workspace):
    from datetime import date

    from taizhang.collect.process import CollectContext
    from taizhang.workspace import branches as branches_mod

    listed, _ = branches_mod.read(ws.branches_path)
    return CollectContext(definition=ws.definitions, settings=ws.settings,
                          branches={b.code: b for b in listed}, key=ws.key, as_of=date(2026, 1, 10))


def test_damaged_returns_never_raise(template, tmp_path: Path) -> None:
    """Bytes flipped anywhere in a return, or inside one of its XML parts: reading, identifying,
    extracting and validating it gives an outcome, never an exception."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from taizhang.collect.files import Candidate
    from taizhang.collect.process import process_file

    root, cache = template
    ws = Workspace(root)
    good = Kit(ws, tmp_path, cache).good(corpus.BAD)
    parts = [n for n in corpus.members(good) if n.endswith(".xml")]
    ctx = _context(ws)
    target = tmp_path / "return.xlsx"

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        if data.draw(st.booleans(), label="inside an XML part"):
            name = data.draw(st.sampled_from(parts), label="part")
            xml = bytearray(corpus.members(good)[name])
            for _ in range(data.draw(st.integers(1, 8), label="flips")):
                i = data.draw(st.integers(0, len(xml) - 1))
                xml[i] = data.draw(st.sampled_from(b"<>&\"'=/\x00\xff 9x"))
            damaged = corpus.change_member(good, name, lambda _: bytes(xml))
        else:
            raw = bytearray(good)
            for _ in range(data.draw(st.integers(1, 8), label="flips")):
                raw[data.draw(st.integers(0, len(raw) - 1))] ^= data.draw(st.integers(1, 255))
            damaged = bytes(raw[: data.draw(st.integers(len(raw) // 2, len(raw)), label="length")])
        target.write_bytes(damaged)
        result = process_file(Candidate(target, str(target), "2026-01-08T10:00:00"), ctx)
        assert result.outcome in {"已接收", "需修改", "无法识别", "无法读取", "不是工作簿"}
        assert result.outcome in ("已接收", "需修改") or result.problems

    check()
