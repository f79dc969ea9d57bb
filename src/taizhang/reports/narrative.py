"""Narrative from what the ledgers record: the meetings and activities a report names.

A report never invents an item: every title it names is the 主题或议题 of a 三会一课 row or the
活动名称或主题 of a 组织生活和活动 row, dated in the report's period. Items are grouped by theme —
the 专题类别 a branch chose (第一议题, 廉政教育, 我为群众办实事 …), else the meeting or activity
type — and a few are named per theme by rules that can be stated (README, 报告的内容从哪里来):

1. a theme names at most `PER_THEME` items, the most recent first chosen, then shown in date order;
2. themes with a 专题类别 come first, in the order of the list, then the rest by how often they
   recur (a repeated theme before a one-off);
3. the secretary's report prefers what the secretary hosted or taught;
4. an item whose title says nothing beyond its type ("主题党日", "学习") is counted, not named,
   and a title is named once per report.

Returns of older template versions have no 专题类别: their items are grouped by type only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from taizhang.party.hosts import hosted_by, name_key
from taizhang.party.periods import Period
from taizhang.records import BranchReturn, Row, date_of, int_of, text_of
from taizhang.reports.words import clean_text, percent

PER_THEME = 2

# The 专题类别 list (vocabulary.THEME_KINDS in the 2026.1 ledgers); kept here too so that reports
# of returns on older versions, which have no such column, still order their themes.
THEME_KINDS = ("第一议题", "专题学习研讨", "廉政教育", "警示教育", "我为群众办实事", "结对共建", "青年宣讲",
               "志愿服务", "急难险重任务", "参观见学")
try:  # the ledger's own list when it defines one
    from taizhang.vocabulary import THEME_KINDS as _DEFINED  # type: ignore[attr-defined]

    THEME_KINDS = tuple(_DEFINED)
except ImportError:  # pragma: no cover - before the 2026.1 ledgers
    pass

# Where a theme is written in a report: theory study, organisational life, the team, integrity,
# service to the people and the centre's work.
SECTIONS: dict[str, tuple[str, ...]] = {
    "study": ("第一议题", "专题学习研讨", "集中学习研讨", "党课", "青年宣讲", "参观见学"),
    "life": ("支部党员大会", "支委会", "党小组会", "主题党日", "组织生活会", "民主评议党员"),
    "team": ("政治生日", "重温入党誓词"),
    "clean": ("廉政教育", "警示教育"),
    "service": ("我为群众办实事", "结对共建", "志愿服务", "急难险重任务", "其他"),
}
SECTION_OF = {theme: section for section, themes in SECTIONS.items() for theme in themes}

# Titles that name nothing beyond the type.
_EMPTY_TITLES = {"学习", "会议", "活动", "党课", "讲党课", "其他", "无", "-", "—", "/"}


@dataclass(frozen=True)
class Item:
    """One recorded meeting or activity, as a report may name it."""

    day: date
    kind: str  # the meeting or activity type (支部党员大会, 主题党日 …)
    title: str
    theme_kind: str  # the 专题类别 chosen ("" when none, or an older return)
    host: str
    progress: int | None  # 完成进度（%） of a 我为群众办实事 project
    ledger: str  # "meetings" or "activities"
    excel_row: int
    year: int  # the year of the return it is from

    @property
    def theme(self) -> str:
        """What it is grouped under: its 专题类别, else its type."""
        return self.theme_kind or self.kind

    @property
    def named(self) -> bool:
        """Whether its title says something beyond its type (a report may name it)."""
        t = self.title.strip("“”\"' ")
        return bool(t) and t not in _EMPTY_TITLES and t != self.kind and t != self.theme_kind

    def mention(self, *, with_year: bool = False) -> str:
        """"3月“学习全国两会精神”" (with the year in a term: "2024年3月…")."""
        when = f"{self.day.year}年{self.day.month}月" if with_year else f"{self.day.month}月"
        return when + quoted(first_topic(self.title))


def first_topic(title: str) -> str:
    """The first of several topics written in one cell ("学习…；研究…" → "学习…")."""
    for sep in ("；", ";", "\n"):
        title = title.split(sep)[0]
    return title.strip().rstrip("。，,")


def quoted(title: str) -> str:
    """A title in quotation marks (quotation marks inside it become single ones), unless the whole
    title is already quoted or is a 书名号 name."""
    t = title.strip()
    if (t.startswith("“") and t.endswith("”") and t.count("“") == 1) or (
            t.startswith("《") and t.endswith("》") and t.count("《") == 1):
        return t
    return "“" + t.replace("“", "‘").replace("”", "’") + "”"


def items_of(ret: BranchReturn | None, period: Period) -> list[Item]:
    """The meetings and activities of one return dated in `period`, oldest first."""
    if ret is None:
        return []
    out: list[Item] = []
    for ledger, kind_key, title_key in (("meetings", "meeting_type", "topic"),
                                        ("activities", "activity_type", "title")):
        for row in ret.rows(ledger):
            day = date_of(row, "date")
            if day is None or not period.contains(day):
                continue
            out.append(_item(row, ledger, kind_key, title_key, day, ret.year))
    out.sort(key=lambda i: (i.day, i.ledger, i.excel_row))
    return out


def _item(row: Row, ledger: str, kind_key: str, title_key: str, day: date, year: int) -> Item:
    theme_kind = clean_text(text_of(row, "theme_kind"))
    if theme_kind not in THEME_KINDS:
        theme_kind = ""
    progress = int_of(row, "progress") if "progress" in row.values else None
    if progress is not None and not 0 <= progress <= 100:
        progress = None
    return Item(day=day, kind=clean_text(text_of(row, kind_key)), title=clean_text(text_of(row, title_key)),
                theme_kind=theme_kind, host=clean_text(text_of(row, "host")), progress=progress,
                ledger=ledger, excel_row=row.excel_row, year=year)


def items_for(returns: dict[int, BranchReturn] | Any, period: Period) -> list[Item]:
    """Every item of a branch over the years of `period` (returns: year -> BranchReturn)."""
    out: list[Item] = []
    for year in period.years:
        out += items_of(returns.get(year) if returns else None, period)
    return out


def themes(items: Iterable[Item]) -> dict[str, list[Item]]:
    """Items by theme, themes ordered by rule 2 (专题类别 in list order, then by recurrence)."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        if item.theme:
            groups.setdefault(item.theme, []).append(item)

    def order(kv: tuple[str, list[Item]]) -> tuple[int, int, str]:
        theme, its = kv
        if theme in THEME_KINDS:
            return (0, THEME_KINDS.index(theme), "")
        return (1, -len(its), theme)

    return dict(sorted(groups.items(), key=order))


def pick(items: Sequence[Item], n: int = PER_THEME, *, prefer: Callable[[Item], bool] | None = None,
         used: set[str] | None = None) -> list[Item]:
    """Up to `n` items to name (rules 1, 3, 4): named, not named before in this report (`used`
    collects what is chosen), preferred ones first, most recent first; returned in date order."""
    used = used if used is not None else set()
    seen: set[str] = set()
    candidates = []
    for item in items:
        key = name_key(item.title)
        if not item.named or key in used or key in seen:
            continue
        seen.add(key)
        candidates.append(item)
    candidates.sort(key=lambda i: (0 if prefer and prefer(i) else 1, -i.day.toordinal(), i.excel_row))
    chosen = sorted(candidates[:n], key=lambda i: (i.day, i.excel_row))
    used.update(name_key(i.title) for i in chosen)
    return chosen


def mentions(chosen: Sequence[Item], *, with_year: bool = False) -> str:
    """"3月“…”、5月“…”"."""
    return "、".join(i.mention(with_year=with_year) for i in chosen)


# How each theme is written: (sentence with {items}, and maybe {n}; sentence without items). {n},
# the number of recorded items of the theme, is stated only for a 专题类别 that is not also a
# meeting or activity type: the counts of the types are stated by the figures (统计), and a theme's
# items may span several types, so its count would not match them.
_PHRASES: dict[str, tuple[str, str]] = {
    "第一议题": ("落实“第一议题”制度，学习“第一议题”{n}项，如{items}", "落实“第一议题”制度，学习“第一议题”{n}项"),
    "专题学习研讨": ("围绕{items}等专题开展学习研讨{n}次", "开展专题学习研讨{n}次"),
    "集中学习研讨": ("集中学习研讨学习了{items}等内容", ""),
    "党课": ("党课讲授了{items}等内容", ""),
    "青年宣讲": ("开展青年宣讲{n}次，如{items}", "开展青年宣讲{n}次"),
    "参观见学": ("组织党员参观见学，如{items}", ""),
    "支部党员大会": ("支部党员大会围绕{items}等议题召开", ""),
    "支委会": ("支委会研究了{items}等事项", ""),
    "党小组会": ("党小组会学习讨论了{items}等内容", ""),
    "主题党日": ("主题党日开展了{items}等活动", ""),
    "组织生活会": ("召开{items}", ""),
    "民主评议党员": ("开展{items}", ""),
    "政治生日": ("为党员过“政治生日”，如{items}", ""),
    "重温入党誓词": ("组织重温入党誓词，如{items}", ""),
    "廉政教育": ("开展廉政教育{n}次，如{items}", "开展廉政教育{n}次"),
    "警示教育": ("开展警示教育，如{items}", ""),
    "结对共建": ("开展结对共建活动{n}次，如{items}", "开展结对共建活动{n}次"),
    "志愿服务": ("组织党员参加志愿服务，如{items}", ""),
    "急难险重任务": ("党员参与急难险重任务{n}次，如{items}", "党员参与急难险重任务{n}次"),
    "其他": ("还开展了{items}等活动", ""),
}


def service_projects(items: Sequence[Item], *, with_year: bool = False, used: set[str] | None = None) -> str:
    """我为群众办实事: the projects recorded, how many are finished and their average progress
    (projects already named in the report — a term's earlier year — are not named again)."""
    projects: dict[str, Item] = {}
    for item in items:  # a project recorded several times: its latest record
        if item.named:
            projects[name_key(item.title)] = item
    if used is not None:
        if projects and all(key in used for key in projects):
            return ""
        used.update(projects)
    if not projects:
        return f"开展“我为群众办实事”实践活动{len(items)}次" if items else ""
    its = sorted(projects.values(), key=lambda i: (i.day, i.excel_row))
    with_progress = [i for i in its if i.progress is not None]
    text = f"推进“我为群众办实事”项目{len(its)}项（" + "、".join(quoted(i.title) for i in its[:4]) + \
        ("等" if len(its) > 4 else "") + "）"
    if len(with_progress) == 1:
        text += f"，完成进度{percent(Decimal(with_progress[0].progress or 0))}"
    elif with_progress:
        done = sum(1 for i in with_progress if i.progress == 100)
        average = Decimal(sum(i.progress or 0 for i in with_progress)) / len(with_progress)
        text += (f"，已完成{done}项" if done else "，均在推进中") + f"，平均完成进度{percent(average)}"
    return text


def theme_sentence(theme: str, group: Sequence[Item], *, n: int = PER_THEME, with_year: bool = False,
                   prefer: Callable[[Item], bool] | None = None, used: set[str] | None = None) -> str:
    """One theme in words, naming up to `n` of its items ("" when there is nothing to say)."""
    if not group:
        return ""
    if theme == "我为群众办实事":
        return service_projects(group, with_year=with_year, used=used)
    full, bare = _PHRASES.get(theme, ("开展" + theme + "，如{items}", ""))
    chosen = pick(group, n, prefer=prefer, used=used)
    if chosen:
        return full.format(n=len(group), items=mentions(chosen, with_year=with_year))
    return bare.format(n=len(group))


def section_sentences(items: Sequence[Item], section: str, *, n: int = PER_THEME, with_year: bool = False,
                      prefer: Callable[[Item], bool] | None = None, used: set[str] | None = None,
                      skip: Iterable[str] = (), named_only: bool = False) -> list[str]:
    """The sentences of one report section (SECTIONS), themes in rule-2 order."""
    skip = set(skip)
    out = []
    for theme, group in themes(items).items():
        if theme in skip or SECTION_OF.get(theme, "service") != section or theme == "谈心谈话":
            continue
        if named_only and not any(i.named and name_key(i.title) not in (used or set()) for i in group):
            continue
        text = theme_sentence(theme, group, n=n, with_year=with_year, prefer=prefer, used=used)
        if text:
            out.append(text)
    return out


def joined(sentences: Sequence[str]) -> str:
    """Sentences joined with ；and ended with 。 ("" for none)."""
    parts = [s.rstrip("。；") for s in sentences if s]
    return "；".join(parts) + "。" if parts else ""


def hosted(items: Sequence[Item], secretary: str) -> list[Item]:
    """The meetings the secretary hosted or taught (主持人或授课人 names the secretary)."""
    key = name_key(secretary)
    if not key:
        return []
    return [i for i in items if i.ledger == "meetings" and hosted_by(i.host, {key})]


# --- honours -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HonourItem:
    """One 荣誉和成果 row (or a committee ledger Honour)."""

    day: date | None
    name: str
    level: str
    awarded_by: str
    recipient: str

    def text(self) -> str:
        """"5月，机关第一党支部被评为市厅级“五好党支部”（市直机关工委授予）"."""
        when = f"{self.day.year}年{self.day.month}月，" if self.day else ""
        who = f"{self.recipient}" if self.recipient else ""
        level = self.level if self.level and self.level != "本单位" else ""
        by = f"（{self.awarded_by}授予）" if self.awarded_by else ""
        return f"{when}{who}获得{level}{quoted(self.name)}{by}"


def honours_of(ret: BranchReturn | None, period: Period) -> list[HonourItem]:
    """The honours of one return dated in `period` (undated ones count for the return's year)."""
    if ret is None:
        return []
    out = []
    for row in ret.rows("honours"):
        name = clean_text(text_of(row, "name"))
        if not name:
            continue
        day = date_of(row, "date")
        if day is not None and not period.contains(day):
            continue
        if day is None and ret.year not in period.years:
            continue
        out.append(HonourItem(day, name, clean_text(text_of(row, "level")), clean_text(text_of(row, "awarded_by")),
                              clean_text(text_of(row, "recipient"))))
    return sorted(out, key=lambda h: (h.day or date(ret.year, 12, 31), h.name))


def honours_sentence(honours: Sequence[HonourItem]) -> str:
    """The honours in one sentence ("" for none)."""
    if not honours:
        return ""
    return "；".join(h.text() for h in honours) + "。"
