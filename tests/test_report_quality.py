"""Reports that read like the ones people write: items named from the records (and only those),
no generated sentence repeated across branches, the 述职 its own text, the 换届's suggestions from
the term's shortfalls, the quarter's problems its own, the 落款 from the registered name, the 通报's
totals equal to what it lists; and every template still fills in and opens in Word."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import docx
import pytest
from builders import activity, build, dues_row, meeting, member
from conftest import make_workspace
from test_consolidate import store_returns

from taizhang import catalog
from taizhang.party.periods import Period
from taizhang.problems import Severity
from taizhang.reports import narrative as nar
from taizhang.reports.branch import default_full_name, unit_of
from taizhang.reports.committee import rule_summary
from taizhang.reports.context import branch_context, committee_context
from taizhang.reports.generate import generate, load_inputs
from taizhang.reports.kinds import KINDS, find_kind
from taizhang.reports.words import TO_BE_FILLED, money, percent

AS_OF = date(2026, 1, 10)
BRANCH_NAMES = {"001": "机关第一党支部", "002": "办公室党支部", "003": "离退休干部党支部"}
SECRETARIES = {"001": "王建国", "002": "赵红", "003": "孙立"}


def themed_return(code: str, year: int = 2025, *, short: bool = False, account: str | None = "",
                  quarterly: bool = True) -> object:
    """A 2026.1 return of `code` with themed meetings and activities, honours and 季度小结; with
    `short` it misses most meetings (shortfalls) and a member owes dues."""
    sec = SECRETARIES[code]
    roster = [member(sec, post="书记", join=date(2000, 7, 1))] + [
        member(f"{code}党员{i}", join=date(2005 + i, 7, 1)) for i in range(1, 8)]
    meetings = []
    quarters = (1,) if short else (1, 2, 3, 4)
    for q in quarters:
        meetings.append(meeting(date(year, 3 * q - 1, 10), "支部党员大会", host=sec, expected=8, present=8,
                                topic=f"{code}支部第{q}季度党员大会：学习贯彻全会精神；部署工作"))
        meetings.append(meeting(date(year, 3 * q - 1, 20), "党课", host=sec if q == 2 else "李红",
                                topic=f"{code}党课{q}：弘扬伟大建党精神"))
    for m in range(1, 13 if not short else 3):
        meetings.append(meeting(date(year, m, 5), "支委会", host=sec, topic=f"{code}支委会研究{m}月工作"))
    meetings.append(meeting(date(year, 4, 8), "支部党员大会", host=sec, expected=8, present=8,
                            topic=f"{code}学习总书记重要讲话", theme_kind="第一议题"))
    activities = [activity(date(year, m, 15), "主题党日", 8, title=f"{code}主题党日{m}月：重温入党誓词")
                  for m in range(1, 13 if not short else 4)]
    activities += [
        activity(date(year, 5, 12), "集中学习研讨", 8, title=f"{code}专题研讨：新质生产力", theme_kind="专题学习研讨"),
        activity(date(year, 6, 6), "警示教育", 8, title=f"{code}观看警示教育片《零容忍》", theme_kind="警示教育"),
        activity(date(year, 7, 1), "其他", 5, title=f"{code}为老旧小区加装电梯", theme_kind="我为群众办实事",
                 progress=100),
        activity(date(year, 9, 1), "其他", 5, title=f"{code}便民服务窗口延时", theme_kind="我为群众办实事",
                 progress=60),
        activity(date(year, 10, 9), "志愿服务", 6, title=f"{code}文明交通志愿服务", theme_kind="志愿服务"),
        activity(date(year, 12, 20), "组织生活会", 8, title=f"{code}{year}年度组织生活会"),
        activity(date(year, 12, 20), "民主评议党员", 8, title=f"{code}{year}年度民主评议党员"),
        activity(date(year, 12, 5), "谈心谈话", 8),
    ]
    dues = [dues_row(r["name"], total=480) for r in roster]
    if short:
        dues[-1] = dues_row(roster[-1]["name"], paid={1: 40}, total=40)
    summary = {"filler": "李红", "secretary": sec, "filled_date": date(year + 1, 1, 5),
               "highlights": f"1.{code}支部的亮点：党建与业务融合。\n2.{code}支部的第二个亮点。",
               "problems": f"1.{code}支部写的问题：理论学习不够深入。",
               "plans": f"1.{code}支部写的打算：加强学习。",
               "committee_posts": 5, "committee_filled": 4 if short else 5,
               "committee_election": f"{year}年3月召开党员大会补选支部委员1名" if code == "001" else None,
               "secretary_lessons": 2, "secretary_talks": 12}
    if account is not None:
        summary["secretary_account"] = account or f"我认真履行{code}支部书记第一责任人职责，落实“一岗双责”。"
    rows = {"roster": roster, "meetings": meetings, "activities": activities, "dues": dues,
            "summary": [summary],
            "honours": [{"date": date(year, 6, 30), "name": f"{code}先进基层党组织", "level": "市厅级",
                         "awarded_by": "市直机关工委", "recipient": BRANCH_NAMES[code]}]}
    if quarterly:
        rows["quarterly"] = [
            {"quarter": "第三季度", "work": f"{code}三季度：开展“七一”系列活动。",
             "problems": f"1.{code}三季度问题：学习形式单一。", "plans": f"1.{code}四季度打算：开展冬训。"},
            {"quarter": "第四季度", "work": f"{code}四季度工作。", "problems": f"{code}四季度问题。",
             "plans": f"{code}明年一季度打算。"},
        ]
    ret = build(year, **rows)
    ret.branch_code, ret.branch_name = code, BRANCH_NAMES[code]
    return ret


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("quality") / "ws")
    error = catalog.make("CELL-ENUM", sheet="党员名册", row=3, column="学历", value="本科", choices="研究生")
    items = [(themed_return("001"), "2026-01-05T10:00:00", []),
             (themed_return("002", short=True, account=None), "2026-01-05T10:00:00", [error]),
             (themed_return("003"), "2026-01-06T10:00:00", [])]
    for year in (2023, 2024):
        items.append((themed_return("002", year, short=year == 2024, quarterly=False), f"{year + 1}-01-05T10:00:00", []))
    store_returns(ws, items)
    return ws


def paragraphs_of(path: str) -> list[str]:
    return [p.text for p in docx.Document(path).paragraphs if p.text.strip()]


def sentences(texts: list[str]) -> list[str]:
    out = []
    for t in texts:
        out += [s.strip() for s in re.split(r"[。；]", t) if len(s.strip()) >= 8]
    return out


def recorded_titles(ws, codes=("001", "002", "003"), years=(2023, 2024, 2025)) -> set[str]:
    inputs = load_inputs(ws, Period.years_between(2023, 2025), as_of=AS_OF)
    titles = set()
    for code in codes:
        for year in years:
            ret = inputs.returns.get(code, {}).get(year)
            for item in nar.items_of(ret, Period.year(year)):
                titles.add(nar.first_topic(item.title).replace("“", "‘").replace("”", "’"))
    return titles


def named_in(text: str) -> list[str]:
    """The quoted titles a report names after a month ("3月“…”")."""
    return re.findall(r"\d+月“([^”]+)”", text)


# --- narrative from records ---------------------------------------------------------------------
def test_sections_name_recorded_items_by_theme_and_only_those(ws) -> None:
    path = generate(ws, "年度", branches=["001"], as_of=AS_OF).written[0].path
    text = "\n".join(paragraphs_of(path))
    assert "落实“第一议题”制度，学习“第一议题”1项，如4月“001学习总书记重要讲话”" in text
    assert "围绕5月“001专题研讨：新质生产力”等专题开展学习研讨1次" in text
    assert "开展警示教育，如6月“001观看警示教育片《零容忍》”" in text
    assert "推进“我为群众办实事”项目2项" in text and "已完成1项，平均完成进度80.0%" in text
    assert "获得市厅级“001先进基层党组织”（市直机关工委授予）" in text
    # several topics in one cell: the first is named
    assert "“001支部第4季度党员大会：学习贯彻全会精神”" in text
    named = named_in(text)
    assert named and set(named) <= recorded_titles(ws)
    # a theme names at most two items, the most recent
    assert "主题党日开展了11月“001主题党日11月：重温入党誓词”、12月“001主题党日12月：重温入党誓词”等活动" in text


def test_every_named_item_exists_in_the_ledger(ws) -> None:
    titles = recorded_titles(ws)
    for kind in ("年度", "述职", "季度", "换届"):
        period = Period.quarter(2025, 3) if kind == "季度" else (
            Period.years_between(2023, 2025) if kind == "换届" else None)
        for w in generate(ws, kind, period=period, as_of=AS_OF).written:
            named = named_in("\n".join(paragraphs_of(w.path)))
            assert set(named) <= titles, (kind, set(named) - titles)
    path = generate(ws, "总结", as_of=AS_OF).written[0].path
    assert set(named_in("\n".join(paragraphs_of(path)))) <= titles


def test_numbers_are_written_one_way() -> None:
    from decimal import Decimal

    assert money(Decimal("339694.2")) == "339694.20"
    assert percent(Decimal(93)) == "93.0%" and percent(Decimal("93.46")) == "93.5%"
    assert percent(Decimal("101.2")) == "100.0%" and percent(None) == "—"


# --- no sentence repeats across branches ----------------------------------------------------------
def test_no_generated_sentence_repeats_across_branches_in_the_committee_report(ws) -> None:
    path = generate(ws, "总结", as_of=AS_OF).written[0].path
    paras = paragraphs_of(path)
    practices = [p for p in paras if any(p.startswith(n + "：") for n in BRANCH_NAMES.values())]
    assert len(practices) == 3  # every branch here has themes; at most PRACTICES_SHOWN
    counts = Counter(sentences(practices))
    assert not [s for s, n in counts.items() if n > 1]
    # introduced as a writer would (the selection rule itself is in the README, not the report)
    assert "特色做法，现选取3个支部，介绍其做法：" in "\n".join(paras)
    # the tables and charts are in the 附件, after the signature
    body, annex = "\n".join(paras).split("附件1\n", 1)
    assert "中共测试局机关委员会\n2026年1月10日" in body
    assert "各支部“三会一课”开展情况" in annex
    d = docx.Document(path)
    first_table = d.tables[0]._tbl
    signature = next(p for p in d.paragraphs if p.text == "2026年1月10日")._p
    body_elems = list(d.element.body.iterchildren())
    assert body_elems.index(signature) < body_elems.index(first_table)


def test_secretary_report_is_first_person_and_differs_from_the_annual(ws) -> None:
    annual = paragraphs_of(generate(ws, "年度", branches=["001"], as_of=AS_OF).written[0].path)
    own = paragraphs_of(generate(ws, "述职", branches=["001"], as_of=AS_OF).written[0].path)
    text = "\n".join(own)
    assert "我认真履行001支部书记第一责任人职责" in text
    assert "我为支部党员讲党课2次，讲授了5月“001党课2：弘扬伟大建党精神”等内容" in text
    assert "我主持召开支委会12次、支部党员大会5次" in text
    assert "我与支部党员谈心谈话12人次" in text
    shared = set(sentences(annual)) & set(sentences(own))
    narrative = [s for s in shared if "“" in s]
    assert not narrative, narrative
    assert len(shared) <= len(set(sentences(own))) // 4
    for written in ("001支部写的问题", "001支部写的打算", "001支部的亮点"):
        assert written not in text


def test_secretary_report_of_a_short_branch_owns_its_shortfalls(ws) -> None:
    text = "\n".join(paragraphs_of(generate(ws, "述职", branches=["002"], as_of=AS_OF).written[0].path))
    problems = text.split("二、存在的问题")[1].split("三、下步工作打算")[0]
    assert "我在以下方面还有差距" in problems and "对支部党员大会制度落实督促不够" in problems
    assert "对党费收缴提醒不够及时" in problems
    plans = text.split("三、下步工作打算")[1]
    assert "把支部党员大会排进每月工作计划" in plans
    # the 2025.1-style 年度小结 without 书记本人履职情况: a person must write it
    assert text.split("（一）履行第一责任人职责，落实“一岗双责”")[1].split("（二）")[0].strip() == TO_BE_FILLED


# --- the term --------------------------------------------------------------------------------------
def test_term_report_highlights_each_year_thanks_and_suggests_from_shortfalls(ws) -> None:
    term = Period.years_between(2023, 2025)
    text = "\n".join(paragraphs_of(generate(ws, "换届", branches=["002"], period=term, as_of=AS_OF)
                                   .written[0].path))
    assert "全年" not in text
    for year in (2023, 2024, 2025):
        assert f"\n{year}年，" in text
    assert "我代表本届支部委员会，向全体党员同志表示衷心的感谢" in text
    advice = text.split("三、对下一届支部委员会的建议")[1]
    assert "严格落实“三会一课”等组织生活制度。任期内2024年和2025年支部党员大会、支委会、党课、主题党日未达到" in advice
    assert "加强党费收缴管理。任期内2024年和2025年有党员未按月交纳党费" in advice
    assert "配齐配强支委会。支委会职数5名、实配4名" in advice
    assert "二十届四中全会" not in advice and "002支部写的打算" not in advice


# --- the quarter ------------------------------------------------------------------------------------
def test_quarterly_report_uses_the_quarter_and_numbers_once(ws) -> None:
    q3 = Period.quarter(2025, 3)
    text = "\n".join(paragraphs_of(generate(ws, "季度", branches=["002"], period=q3, as_of=AS_OF)
                                   .written[0].path))
    assert "002三季度：开展“七一”系列活动。" in text
    assert "存在问题：" in text and "002三季度问题：学习形式单一" in text
    assert "002支部写的问题" not in text and "002四季度问题" not in text  # neither the year's nor another quarter's
    issues = text.split("存在问题：")[1].split("\n")[0]
    assert issues.startswith("一是") and not re.search(r"是\d+\.", issues)
    plan = text.split("第四季度工作计划：")[1]
    assert "002四季度打算：开展冬训" in plan
    lines = [line for line in plan.splitlines() if re.match(r"\d+\.", line)]
    assert lines and not [line for line in lines if re.match(r"\d+\.\s*\d+\.", line)]
    first = lines[0]
    assert first.startswith("1.补上本季度的不足：支部党员大会（") and "未达到规定次数" in first  # what fell short first
    assert "9月“002" not in text  # a short branch held nothing themed in the quarter… but named only what it held
    assert set(named_in(text)) <= recorded_titles(ws, codes=("002",), years=(2025,))


# --- form -------------------------------------------------------------------------------------------
def test_signature_uses_the_registered_name_or_a_default(tmp_path) -> None:
    assert unit_of("中共青禾市交通运输局机关委员会") == "青禾市交通运输局"
    assert default_full_name("机关第一党支部", "中共青禾市交通运输局机关委员会", True) == \
        "中共青禾市交通运输局机关第一支部委员会"
    assert default_full_name("机关第一党支部", "中共青禾市交通运输局机关委员会", False) == \
        "中共青禾市交通运输局机关第一党支部"
    branches = [dict(b) for b in ({"code": "001", "name": "机关第一党支部", "secretary": "王建国",
                                   "full_name": "中共测试局机关第一支部委员会"},)]
    ws = make_workspace(tmp_path / "ws", branches=branches)
    store_returns(ws, [(themed_return("001"), "2026-01-05T10:00:00", [])])
    for kind in ("年度", "季度", "述职"):
        period = Period.quarter(2025, 4) if kind == "季度" else None
        paras = paragraphs_of(generate(ws, kind, branches=["001"], period=period, as_of=AS_OF).written[0].path)
        if kind != "述职":
            assert paras[-2] == "中共测试局机关第一支部委员会", kind


def test_education_breakdown_lists_only_defined_values(ws) -> None:
    inputs = load_inputs(ws, Period.year(2025), as_of=AS_OF)
    ctx = committee_context(inputs, find_kind("总结"))
    text = ctx["members"]["education_text"]
    assert "本科" not in text.replace("大学本科", "")


# --- the 通报 ---------------------------------------------------------------------------------------
def test_notice_lists_every_kind_by_severity_and_its_totals_add_up(ws) -> None:
    inputs = load_inputs(ws, Period.year(2025), as_of=AS_OF)
    W_ = catalog.make("MEET-GM-Q", sheet="三会一课", until="12月", required=4, held=1, detail="")
    E1 = catalog.make("DUES-6M", sheet="党费收缴", row=4, name="甲", start="1月", end="6月", months=6)
    E2 = catalog.make("CELL-REQUIRED", sheet="党员名册", row=5, column="姓名")
    problems = {"001": [W_, W_, E2], "002": [E1, E2, E2], "003": []}
    rules = rule_summary(problems, inputs.stats)
    assert [r["rule_id"] for r in rules] == ["CELL-REQUIRED", "DUES-6M", "MEET-GM-Q"]
    assert sum(r["count"] for r in rules) == 6
    inputs.problems = problems
    ctx = committee_context(inputs, find_kind("通报"))
    assert ctx["counts"]["errors"] == 4 and ctx["counts"]["warnings"] == 2 and ctx["counts"]["kinds"] == 3
    # at one severity and count, a party rule comes before a form mistake
    tie = rule_summary({"001": [E2, E1]}, inputs.stats)
    assert [r["rule_id"] for r in tie] == ["DUES-6M", "CELL-REQUIRED"]
    assert all(p.severity is not Severity.INFO for p in (W_, E1, E2))


def test_notice_gives_the_resubmit_deadline_from_the_settings(ws) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    assert "resubmit_days = 10" in text
    path = generate(ws, "通报", as_of=AS_OF, report_date=date(2026, 1, 12)).written[0].path
    body = "\n".join(paragraphs_of(path))
    assert "于2026年1月22日前重新报送" in body and TO_BE_FILLED + "前" not in body
    m = re.search(r"共发现(\d+)类问题", body)
    listed = re.findall(r"^\d+\.(.+?)（(错误|警告)(\d+)处）", body, flags=re.MULTILINE)
    assert m and int(m.group(1)) == len(listed)


def test_a_bad_resubmit_setting_is_a_clear_error(tmp_path) -> None:
    from taizhang.errors import ConfigError
    from taizhang.workspace import config

    with pytest.raises(ConfigError, match="resubmit_days"):
        config.parse({"organisation": {"year": 2025}, "reports": {"resubmit_days": 0}})
    assert config.parse({"organisation": {"year": 2025}}).reports["resubmit_days"] == 10


# --- old returns ------------------------------------------------------------------------------------
def test_a_2025_return_without_the_new_columns_still_reports(tmp_path) -> None:
    from test_statistics import return_001_2025

    ws = make_workspace(tmp_path / "ws")
    store_returns(ws, [(return_001_2025(), "2026-01-05T10:00:00", [])])
    for kind in ("年度", "述职", "季度"):
        period = Period.quarter(2025, 4) if kind == "季度" else None
        text = "\n".join(paragraphs_of(generate(ws, kind, branches=["001"], period=period, as_of=AS_OF)
                                       .written[0].path))
        assert "None" not in text
    assert TO_BE_FILLED in text


# --- templates: fill in and open in Word ------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.id)
def test_every_template_fills_in_and_reopens(ws, kind, tmp_path: Path) -> None:
    from docxtpl import DocxTemplate

    from taizhang.reports.generate import _images, jinja_env, shipped_template

    period = {"branch-quarterly": Period.quarter(2025, 3), "branch-term": Period.years_between(2023, 2025)}.get(
        kind.id, Period.year(2025))
    inputs = load_inputs(ws, period, as_of=AS_OF)
    ctx = branch_context(inputs, kind, "002") if kind.scope == "branch" else committee_context(inputs, kind)
    tpl = DocxTemplate(str(shipped_template(kind)))
    tpl.render(_images(ctx, tpl), jinja_env=jinja_env(), autoescape=True)
    out = tmp_path / "out.docx"
    tpl.save(str(out))
    d = docx.Document(str(out))  # python-docx opens what docxtpl wrote
    text = "\n".join(p.text for p in d.paragraphs)
    assert "{{" not in text and "{%" not in text and "None" not in text
    d.add_paragraph("用户在 Word 中加的一段")  # and it can be edited and saved again
    d.save(str(out))
    assert "用户在 Word 中加的一段" in [p.text for p in docx.Document(str(out)).paragraphs]
