"""What the demo fills in of template 2026.1 and of the committee ledger: varied across branches
and years, realistic, deterministic."""

from __future__ import annotations

import random

from conftest import DEMO_AS_OF

from taizhang import committee, vocabulary
from taizhang.demo.committee import committee_rows
from taizhang.demo.data import generate_branch
from taizhang.demo.organisation import demo_branches
from taizhang.records import int_of, text_of
from taizhang.workspace import branches as branches_mod
from taizhang.workspace.store import Store


def _returns(ws, year: int = 2025):
    with Store.open(ws.store_path) as store:
        return {code: store.load_return(sub.id) for code, sub in store.current(year).items()}


def test_committee_ledger_of_the_demo(demo_ws) -> None:
    for year in (2023, 2024, 2025):
        ledger = committee.load(demo_ws, year)
        assert ledger.found and not ledger.problems, ledger.problems
        counts = ledger.counts()
        assert 15 <= counts["党委会议"] <= 20 and counts["理论学习中心组学习"] == 11
        assert 8 <= counts["书记讲党课"] <= 11 and 2 <= counts["意识形态研判"] <= 4
        assert counts["第一议题"] >= 10 and counts["制度建设"] >= 5 and counts["重点任务"] == 6
        assert counts["荣誉"] >= 2
        levels = {m.note for m in ledger.by_kind(committee.SECRETARY_LECTURE)}
        assert {"党委书记", "党委副书记", "支部书记"} <= levels
        assert all(m.first_topic.startswith("学习习近平总书记") for m in ledger.first_topics)
        assert all(m.date.year == year for m in ledger.meetings)
    last = committee.load(demo_ws, 2025)
    assert any(t.progress is not None and t.progress < 100 for t in last.tasks)
    assert any("四中全会" in m.first_topic for m in last.first_topics)


def test_returns_record_themes_projects_honours_and_quarters(demo_ws) -> None:
    returns = _returns(demo_ws)
    assert len(returns) >= 10
    kinds = set()
    with_honours = 0
    accounts = set()
    for code, ret in returns.items():
        meetings, activities = ret.rows("meetings"), ret.rows("activities")
        themed = [r for r in meetings + activities if text_of(r, "theme_kind")]
        kinds |= {text_of(r, "theme_kind") for r in themed}
        assert 0.1 <= len(themed) / len(meetings + activities) <= 0.8, code
        projects = [r for r in activities if text_of(r, "theme_kind") == vocabulary.SERVICE]
        assert projects and all(0 <= (int_of(r, "progress") or 0) <= 100 for r in projects), code
        assert all(int_of(r, "progress") is not None for r in projects)
        with_honours += bool(ret.rows("honours"))
        quarters = [text_of(r, "quarter") for r in ret.rows("quarterly")]
        assert len(quarters) == len(set(quarters)) >= 3 and all(q in vocabulary.QUARTERS for q in quarters)
        form = ret.form()
        assert form["secretary_account"].count("我") >= 2
        accounts.add(form["secretary_account"])
        posts, filled = form["committee_posts"], form["committee_filled"]
        assert isinstance(posts, int) and isinstance(filled, int) and filled <= posts
        assert form["committee_election"]
    assert kinds <= set(vocabulary.THEME_KINDS)
    assert {"第一议题", "专题学习研讨", "我为群众办实事", "志愿服务", "青年宣讲", "急难险重任务"} <= kinds
    assert 0 < with_honours < len(returns)  # some branches, not all
    assert len(accounts) == len(returns)  # every secretary writes their own account


def test_full_names_for_some_branches(demo_ws) -> None:
    rows, _problems = branches_mod.read(demo_ws.branches_path)
    named = [b for b in rows if b.full_name]
    assert 0 < len(named) < len(rows)
    assert all(b.full_name.startswith("中共") and b.full_name.endswith("委员会") for b in named)


def test_additions_are_deterministic_and_leave_the_rest_alone(monkeypatch) -> None:
    branches = demo_branches(random.Random(7))
    assert committee_rows(7, [2024, 2025], branches) == committee_rows(7, [2024, 2025], branches)
    one = generate_branch(random.Random(3), branches[0], 2025, DEMO_AS_OF)
    two = generate_branch(random.Random(3), branches[0], 2025, DEMO_AS_OF)
    assert one.ledgers == two.ledgers and one.summary == two.summary
    assert set(one.ledgers) == {"roster", "meetings", "activities", "dues", "recruitment", "honours", "quarterly"}
    # Without the additions the shared generator gives exactly the same year: they draw from their own.
    from taizhang.demo import data

    monkeypatch.setattr(data, "add_themes", lambda ctx, fill: None)
    plain = generate_branch(random.Random(3), branches[0], 2025, DEMO_AS_OF)
    for key in ("roster", "dues", "recruitment"):
        assert plain.ledgers[key] == one.ledgers[key]
    keep = ("date", "meeting_type", "activity_type", "host", "expected", "present", "participants", "topic_count")
    for key in ("meetings", "activities"):
        assert [{k: r.get(k) for k in keep} for r in plain.ledgers[key]] == [
            {k: r.get(k) for k in keep} for r in one.ledgers[key]]
    assert {k: v for k, v in one.summary.items() if k in plain.summary} == plain.summary
