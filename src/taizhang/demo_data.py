"""Realistic data for the demo: a fictional 机关党委, its branches, and a year of each branch's ledgers.

Everything here is plain data and deterministic for a seed: every random choice is drawn from the
`random.Random` passed in, nothing reads the clock or global state. `generate_branch` returns what a
branch would type into its workbook (`BranchFill`), consistent across the sheets: the people on the
dues sheet are the people on the roster, those admitted this year are 预备党员 on the roster, the
attendance of every 支部党员大会 matches the members in standing that day, and so on. A few cells are
typed the way people really type them (dates as "2025.3.5" or "2025年3月5日", money as "6,842.50",
names with full-width spaces): the reader accepts them with a 提示.

`plant_mistakes` then puts a handful of realistic mistakes into three or four branches and records
exactly where, so that tests can check the validator finds exactly those.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from . import config
from .branches import Branch

# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------

ORG_NAME = "中共青禾市交通运输局机关委员会"
ORG_CODE = "QHJT"
CITY = "青禾市"


@dataclass(frozen=True)
class BranchRow:
    """One row of 支部名单.xlsx (the attribute names are the `branches.COLUMNS` keys)."""

    code: str
    name: str
    parent: str
    secretary: str
    contact: str
    phone: str

    def as_row(self) -> dict[str, str]:
        """The row as {column key: text}, as `branches.write_template` takes it."""
        return asdict(self)

    def to_branch(self) -> Branch:
        """The same branch as a `branches.Branch`."""
        return Branch(**asdict(self))


@dataclass
class BranchFill:
    """What one branch types into its workbook.

    `ledgers` maps a table ledger's id to its rows ({column key: typed value}); `summary` holds
    the 年度小结 fields. Values are `date`, `int`, `Decimal` or `str`; a `str` in a date or money
    column is deliberate (text typed by hand, such as "2025.3.5" or "6,842.50").
    """

    ledgers: dict[str, list[dict[str, Any]]]
    summary: dict[str, Any]
    code: str = ""
    year: int = 0
    as_of: date | None = None
    profile: str = "regular"
    lazy: bool = False


@dataclass(frozen=True)
class PlantedMistake:
    """A mistake put into a branch's data on purpose, and exactly where it is."""

    branch_code: str
    ledger_id: str
    row_index: int  # 0-based index into BranchFill.ledgers[ledger_id]
    key: str  # column key
    rule_id: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class _Blueprint:
    code: str
    name: str
    profile: str  # regular / small / big / retired / student
    size: tuple[int, int]  # roster rows, inclusive range
    lazy: bool = False


_BLUEPRINTS: tuple[_Blueprint, ...] = (
    _Blueprint("001", "机关第一党支部", "regular", (13, 16)),
    _Blueprint("002", "机关第二党支部", "regular", (11, 14)),
    _Blueprint("003", "办公室党支部", "regular", (10, 12)),
    _Blueprint("004", "财务审计处党支部", "small", (8, 8)),
    _Blueprint("005", "综合规划处党支部", "regular", (10, 12), lazy=True),
    _Blueprint("006", "信息中心党支部", "regular", (12, 15)),
    _Blueprint("007", "公路事业发展中心党支部", "big", (58, 60)),
    _Blueprint("008", "运输服务中心党支部", "regular", (16, 20)),
    _Blueprint("009", "综合行政执法支队党支部", "regular", (20, 26)),
    _Blueprint("010", "质量安全监督站党支部", "regular", (10, 12)),
    _Blueprint("011", "离退休干部党支部", "retired", (24, 30)),
    _Blueprint("012", "交通职业技术学院汽车工程系学生党支部", "student", (12, 15)),
)

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
_GIVEN = {
    ("男", "old"): "建国 建华 国强 国庆 志强 志刚 德明 振华 文华 永刚 宝林 福生 海林 长江 树林 玉林 明亮 卫东 立新 庆丰 全福 继红 成林 广才".split(),
    ("女", "old"): "秀英 桂英 玉兰 淑珍 秀兰 桂兰 凤英 玉梅 秀珍 丽华 淑英 美玲 春梅 素芬 玉珍 爱华 红梅 丽君 桂芳 翠萍 凤琴 淑兰".split(),
    ("男", "mid"): "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 波 宁 健 亮 俊 峰 海涛 晓东 建军 志勇 卫国 永强 春雷 立伟 宏伟 文斌 晓峰 海波 振宇 国栋 志军 红兵".split(),
    ("女", "mid"): "芳 娜 敏 静 丽 艳 娟 霞 燕 玲 婷 雪 慧 红 梅 琳 颖 倩 洁 萍 晓燕 丽娟 海燕 春燕 雪梅 秀丽 晓红 文静 丽萍 晓丽 美华 艳红 慧敏 晓娟".split(),
    ("男", "young"): "浩 宇 轩 博 晨 阳 昊 鑫 凯 睿 子豪 浩然 宇航 俊杰 子轩 一鸣 思远 嘉豪 博文 天宇 明轩 皓轩 泽宇 家乐 文韬 志远".split(),
    ("女", "young"): "欣 怡 琪 萱 妍 悦 彤 雯 佳怡 思琪 欣怡 雨萱 梓涵 诗涵 梦瑶 雨欣 子涵 佳琪 可馨 思雨 婉婷 心怡 晓彤 雅琪".split(),
}
_FEMALE_GIVEN = {g for (sex, _gen), names in _GIVEN.items() if sex == "女" for g in names}
_MINORITIES = ("回族", "满族", "蒙古族", "土家族", "壮族", "苗族")


def _generation(birth_year: int) -> str:
    return "old" if birth_year < 1966 else "mid" if birth_year < 1990 else "young"


class _Names:
    """Unique Chinese names within one branch (surname by frequency × given names by era)."""

    def __init__(self, rng: random.Random, taken: Iterable[str] = ()):
        self.rng = rng
        self.used = set(taken)
        self.weights = [1 / (i + 8) for i in range(len(_SURNAMES))]

    def make(self, gender: str, birth_year: int) -> str:
        pool = _GIVEN[(gender, _generation(birth_year))]
        for _ in range(200):
            name = self.rng.choices(_SURNAMES, self.weights)[0] + self.rng.choice(pool)
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("name space exhausted")  # pragma: no cover - 90 × 20+ names per era


def guess_gender(name: str) -> str:
    """男 or 女 for a name made by this module (by its given name)."""
    return "女" if clean_name(name)[1:] in _FEMALE_GIVEN else "男"


def clean_name(text: Any) -> str:
    """A name without any spaces (half- or full-width), for comparing names across sheets."""
    return "".join(str(text or "").split())


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def _add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _between(rng: random.Random, lo: date, hi: date) -> date | None:
    if hi < lo:
        return None
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def _holiday(d: date) -> bool:
    """New Year's Day and the May Day and National Day holidays (the fixed-date ones)."""
    return (d.month, d.day) == (1, 1) or (d.month == 5 and d.day <= 5) or (d.month == 10 and d.day <= 8)


def _workday(rng: random.Random, lo: date, hi: date, avoid: Iterable[date] = ()) -> date | None:
    blocked = set(avoid)
    days = [lo + timedelta(days=k) for k in range((hi - lo).days + 1)]
    days = [d for d in days if d.weekday() < 5 and not _holiday(d) and d not in blocked]
    return rng.choice(days) if days else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _text_date(d: date, style: int) -> str:
    return f"{d.year}.{d.month}.{d.day}" if style == 0 else f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------------------------


@dataclass
class _Member:
    name: str
    gender: str
    birth: date
    education: str
    join: date
    full: date | None
    category: str  # 在职 / 离退休 / 学生
    ethnicity: str = "汉族"
    post: str = "党员"
    group: str = ""
    standing: str = "在册"
    change: date | None = None
    note: str = ""
    core: bool = True  # an established member, not moved this year

    @property
    def member_type(self) -> str:
        return "正式党员" if self.full is not None else "预备党员"


def in_standing(row: dict[str, Any], day: date) -> bool:
    """Whether the member of a roster row ({key: value}) belonged to the branch on `day`.

    The same rule as `statistics.in_standing`: a member counts from the 入党日期 (so the 支部大会
    that admits a 发展对象, who attends it, counts them); one transferred in from the transfer
    date; one transferred out until the day before.
    """
    join = row.get("join_date")
    if not isinstance(join, date) or join > day:
        return False
    standing, change = row.get("standing") or "在册", row.get("change_date")
    if standing == "转入":
        return not isinstance(change, date) or change <= day
    if standing in ("转出", "停止党籍", "去世"):
        return isinstance(change, date) and day < change
    return True


def _standing(m: _Member, day: date) -> bool:
    return in_standing({"join_date": m.join, "standing": m.standing, "change_date": m.change}, day)


def _education(rng: random.Random, category: str, birth_year: int) -> str:
    if category == "学生":
        return "大学专科"
    if category == "离退休":
        options = {"大学本科": 25, "大学专科": 30, "中等专科": 20, "高中": 15, "初中及以下": 10}
    elif birth_year >= 1985:
        options = {"研究生": 35, "大学本科": 60, "大学专科": 5}
    else:
        options = {"研究生": 15, "大学本科": 60, "大学专科": 18, "中等专科": 5, "高中": 2}
    return rng.choices(list(options), list(options.values()))[0]


def _ethnicity(rng: random.Random) -> str:
    return "汉族" if rng.random() < 0.93 else rng.choice(_MINORITIES)


@dataclass
class _Ctx:
    rng: random.Random
    code: str
    name: str
    year: int
    as_of: date
    profile: str
    lazy: bool
    names: _Names
    secretary: str
    contact: str
    members: list[_Member] = field(default_factory=list)
    recruits: list[dict[str, Any]] = field(default_factory=list)
    admissions: list[tuple[date, list[str]]] = field(default_factory=list)  # 支部大会 admitting
    confirmations: list[tuple[date, str]] = field(default_factory=list)  # (earliest date, name)
    transfers: list[_Member] = field(default_factory=list)
    busy: set[date] = field(default_factory=set)
    referenced: set[str] = field(default_factory=set)  # names used in person columns

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return min(self.as_of, date(self.year, 12, 31))

    def clip(self, lo: date, hi: date) -> tuple[date, date]:
        return max(lo, self.start), min(hi, self.end)

    def workday(self, lo: date, hi: date, avoid: Iterable[date] = ()) -> date | None:
        lo, hi = self.clip(lo, hi)
        return _workday(self.rng, lo, hi, avoid) if lo <= hi else None

    def roster_at(self, day: date) -> list[_Member]:
        return [m for m in self.members if _standing(m, day)]

    def by_post(self, post: str) -> _Member | None:
        return next((m for m in self.members if m.post == post), None)


def _core_member(ctx: _Ctx, category: str, *, name: str | None = None, gender: str | None = None,
                 age: tuple[int, int] | None = None) -> _Member:
    rng, year = ctx.rng, ctx.year
    if category == "离退休":
        age_range = age or (60, 86)
        p_male = 0.6
    elif category == "学生":
        age_range = age or (20, 22)
        p_male = 0.7
    else:
        age_range = age or (25, 58)
        p_male = 0.55
    years = rng.randint(*age_range)
    birth = _between(rng, date(year - years - 1, 1, 2), date(year - years, 1, 1))
    assert birth is not None
    sex = gender or ("男" if rng.random() < p_male else "女")
    if category == "学生":
        lo = _add_years(birth, 18) + timedelta(days=120)
        hi = date(year - 1, 1, 1) - timedelta(days=1)
    else:
        lo = _add_years(birth, 21 if category == "在职" else 20)
        hi = min(_add_years(birth, min(years - 1, 45)), date(year - 2, 12, 31))
    join = _between(rng, lo, max(lo, hi))
    assert join is not None
    return _Member(
        name=name or ctx.names.make(sex, birth.year),
        gender=sex,
        birth=birth,
        education=_education(rng, category, birth.year),
        join=join,
        full=_add_years(join, 1),
        category=category,
        ethnicity=_ethnicity(rng),
    )


# --------------------------------------------------------------------------------------------
# Branches
# --------------------------------------------------------------------------------------------


def demo_organisation() -> dict[str, str]:
    """The fictional committee: name, code, contact person and phone (keys as in taizhang.toml)."""
    return {
        "name": ORG_NAME,
        "code": ORG_CODE,
        "contact": "林晓燕",
        "phone": "0123-66880001",
    }


def demo_branches(rng: random.Random) -> list[BranchRow]:
    """The 12 branches of the demo committee, with secretaries, contacts and phone numbers."""
    rows = []
    names = _Names(rng, ["林晓燕"])
    for i, bp in enumerate(_BLUEPRINTS):
        if bp.profile == "retired":
            sec_year = rng.randint(1952, 1960)
            contact_year = rng.randint(1955, 1962)
        else:
            sec_year = rng.randint(1970, 1987)
            contact_year = rng.randint(1985, 1996)
        secretary = names.make("男" if rng.random() < 0.6 else "女", sec_year)
        contact = names.make("女" if rng.random() < 0.6 else "男", contact_year)
        rows.append(BranchRow(
            code=bp.code,
            name=bp.name,
            parent=ORG_CODE,
            secretary=secretary,
            contact=contact,
            phone=f"0123-6688{1010 + 11 * i:04d}",
        ))
    return rows


@dataclass(frozen=True)
class SubUnit:
    """A 党总支 of the demo committee that keeps its own workspace and rolls up to the committee."""

    row: BranchRow  # its row on the committee's 支部名单 (组织类别 党总支)
    org_name: str  # the organisation name of its own workspace
    branches: list[BranchRow]  # the 党支部 on its own 支部名单 (parent: its code)


_SUB_UNITS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Z1", "港航事务中心党总支", "中共青禾市港航事务中心总支部委员会",
     ("港航事务中心机关党支部", "航道管理所党支部", "港口管理所党支部")),
    ("Z2", "交通工程质量检测中心党总支", "中共青禾市交通工程质量检测中心总支部委员会",
     ("检测一室党支部", "检测二室党支部", "检测中心离退休党支部")),
)


def demo_sub_units(rng: random.Random) -> list[SubUnit]:
    """The two 党总支 of the demo committee, each with three 党支部 of its own (codes Z1-01 …)."""
    names = _Names(rng, ["林晓燕"])
    out = []
    for i, (code, name, org_name, branch_names) in enumerate(_SUB_UNITS):
        def person(gender_female: float, lo: int, hi: int) -> str:
            return names.make("女" if rng.random() < gender_female else "男", rng.randint(lo, hi))

        row = BranchRow(code=code, name=name, parent=ORG_CODE, secretary=person(0.4, 1968, 1980),
                        contact=person(0.6, 1985, 1995), phone=f"0123-6689{1010 + 101 * i:04d}")
        branches = []
        for j, branch_name in enumerate(branch_names, start=1):
            retired = "离退休" in branch_name
            branches.append(BranchRow(
                code=f"{code}-{j:02d}", name=branch_name, parent=code,
                secretary=person(0.4, 1952 if retired else 1970, 1960 if retired else 1987),
                contact=person(0.6, 1955 if retired else 1985, 1962 if retired else 1996),
                phone=f"0123-6689{1010 + 101 * i + 11 * j:04d}",
            ))
        out.append(SubUnit(row, org_name, branches))
    return out


def branch_profile(branch: Any) -> tuple[str, tuple[int, int], bool]:
    """(profile, roster size range, lazy) of a demo branch, by its name (or code).

    Branches that are not in the demo get a profile from their name: 离退休 → retired,
    学生 → student, anything else → a regular in-service branch.
    """
    for bp in _BLUEPRINTS:
        if bp.name == branch.name:
            return bp.profile, bp.size, bp.lazy
    if "离退休" in branch.name:
        return "retired", (20, 28), False
    if "学生" in branch.name:
        return "student", (12, 15), False
    return "regular", (10, 16), False


# --------------------------------------------------------------------------------------------
# A branch's year
# --------------------------------------------------------------------------------------------


def generate_branch(rng: random.Random, branch: Any, year: int, as_of: date, *,
                    size: int | None = None, profile: str | None = None) -> BranchFill:
    """One branch's filled ledgers for `year` as known on `as_of`.

    `branch` is a `BranchRow` or a `branches.Branch` (code, name, secretary, contact). Events lie
    within `year` and on or before `as_of`. `size` (roster rows) and `profile` (regular, small,
    big, retired, student) override what `branch_profile` gives for the branch's name; the
    benchmarks use them to generate committees of any size. Returns a `BranchFill` keyed by
    ledger id (roster, meetings, activities, dues, recruitment) with the 年度小结 in `summary`.
    """
    profile_of_name, size_range, lazy = branch_profile(branch)
    profile = profile or profile_of_name
    if size is not None:
        size_range = (size, size)
    secretary = clean_name(branch.secretary) or "王建国"
    contact = clean_name(branch.contact) or secretary
    ctx = _Ctx(
        rng=rng, code=branch.code, name=branch.name, year=year, as_of=as_of, profile=profile,
        lazy=lazy, names=_Names(rng, [secretary, contact]), secretary=secretary, contact=contact,
    )
    size = rng.randint(*size_range)
    _build_recruits(ctx)
    _build_transfers(ctx)
    admitted = [r for r in ctx.recruits if r.get("admitted") is not None]
    _build_core(ctx, max(size - len(admitted) - len(ctx.transfers), 3))
    _fill_recruit_people(ctx)  # established members first, then those admitted through the pipeline
    ctx.members.extend(ctx.transfers)
    _assign_posts(ctx)
    meetings = _meetings(ctx)
    activities = _activities(ctx)
    roster = _roster_rows(ctx)
    dues = _dues_rows(ctx)
    recruitment = _recruitment_rows(ctx)
    summary = _summary(ctx, meetings, activities, recruitment)
    fill = BranchFill(
        ledgers={
            "roster": roster, "meetings": meetings, "activities": activities,
            "dues": dues, "recruitment": recruitment,
        },
        summary=summary, code=branch.code, year=year, as_of=as_of, profile=profile, lazy=lazy,
    )
    _make_messy(ctx, fill)
    return fill


def _build_core(ctx: _Ctx, n: int) -> None:
    category = {"retired": "离退休"}.get(ctx.profile, "在职")
    sec_age = (62, 72) if ctx.profile == "retired" else (38, 55)
    sec = _core_member(ctx, category, name=ctx.secretary, gender=guess_gender(ctx.secretary), age=sec_age)
    core = [sec]
    if ctx.contact != ctx.secretary:
        age = (63, 70) if ctx.profile == "retired" else (29, 40)
        core.append(_core_member(ctx, category, name=ctx.contact, gender=guess_gender(ctx.contact), age=age))
    while len(core) < n:
        # A student branch: the secretary and the contact are teachers, the others students.
        core.append(_core_member(ctx, "学生" if ctx.profile == "student" else category))
    ctx.members = core


def _build_transfers(ctx: _Ctx) -> None:
    """At most one member transferred out late in the year and one transferred in early on.

    Dates are chosen so that the months not paid here (before a transfer in, after a transfer
    out) are fewer than six: they can never look like six months without dues. A member
    transferred in pays here from the month of the transfer.
    """
    rng, y = ctx.rng, ctx.year
    always = ctx.profile in ("small", "big")
    if ctx.lazy:
        return
    category = {"retired": "离退休", "student": "学生"}.get(ctx.profile, "在职")
    if always or rng.random() < 0.55:
        day = _between(rng, *ctx.clip(max(date(y, 2, 1), ctx.end - timedelta(days=120)), ctx.end - timedelta(days=10)))
        if day is not None:
            m = _core_member(ctx, category)
            m.standing, m.change, m.core = "转出", day, False
            m.note = {
                "retired": f"随子女迁居外地，{day.month}月{day.day}日组织关系转出",
                "student": f"应征入伍，{day.month}月{day.day}日组织关系转出",
            }.get(ctx.profile, f"调至市公路发展集团工作，{day.month}月{day.day}日组织关系转出")
            ctx.transfers.append(m)
    if always or rng.random() < 0.55:
        day = _between(rng, *ctx.clip(date(y, 2, 1), min(date(y, 4, 30), ctx.end - timedelta(days=10))))
        if day is not None:
            m = _core_member(ctx, "离退休" if ctx.profile == "retired" else "在职" if ctx.profile != "student" else "学生")
            m.standing, m.change, m.core = "转入", day, False
            paid_there = "1月" if day.month == 2 else f"1—{day.month - 1}月"
            origin = {
                "retired": "机关第二党支部（新退休）",
                "student": "交通职业技术学院机电工程系学生党支部",
            }.get(ctx.profile, "市城市管理局机关党支部")
            m.note = f"{day.month}月{day.day}日由{origin}转入，{paid_there}党费已在原党支部交纳"
            ctx.transfers.append(m)


def _assign_posts(ctx: _Ctx) -> None:
    end = ctx.end
    # Counted the way the validator does: 正式党员 in standing on the roster as returned.
    full = [m for m in ctx.members if m.full is not None and m.standing in ("在册", "转入") and m.full <= end]
    committee: list[str] = []
    if len(full) >= 7:
        committee = ["书记", "组织委员", "宣传委员"]
        if len(full) >= 15:
            committee = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"]
    else:
        committee = ["书记"]
    eligible = [m for m in ctx.members if m.core and m.full is not None and m.standing == "在册"]
    sec = next(m for m in eligible if m.name == ctx.secretary)
    sec.post = "书记"
    others = [m for m in eligible if m is not sec]
    if ctx.profile == "student":
        # The secretary is a teacher; the other committee members are students.
        others = [m for m in others if m.category == "学生"] or others
    posts = committee[1:]
    contact = next((m for m in others if m.name == ctx.contact), None)
    if contact is not None and "组织委员" in posts:
        contact.post = "组织委员"
        posts.remove("组织委员")
    pool = [m for m in others if m.post == "党员"]
    for post, m in zip(posts, ctx.rng.sample(pool, min(len(posts), len(pool)))):
        m.post = post
    if ctx.profile == "big":
        groups = ["第一党小组", "第二党小组", "第三党小组", "第四党小组"]
        shuffled = ctx.rng.sample(ctx.members, len(ctx.members))
        for i, m in enumerate(shuffled):
            m.group = groups[i % len(groups)]
        for g in groups:
            leader = next((m for m in shuffled if m.group == g and m.core and m.full and m.post == "党员"
                           and m.standing == "在册"), None)
            if leader is not None:
                leader.note = f"{g}组长"


def _committee(ctx: _Ctx) -> list[_Member]:
    return [m for m in ctx.members if m.post != "党员"]


def _has_committee(ctx: _Ctx) -> bool:
    return len(_committee(ctx)) >= 3


# --------------------------------------------------------------------------------------------
# 发展党员
# --------------------------------------------------------------------------------------------

_JOBS = ("科员", "办事员", "工程师", "助理工程师", "统计员", "技术员", "会计", "文秘")


def _stages(ctx: _Ctx) -> list[str]:
    rng = ctx.rng
    if ctx.profile == "retired":
        return []
    if ctx.profile == "small":
        return ["预备党员", "预备党员", "入党申请人"]
    if ctx.lazy:
        return ["入党申请人", "入党积极分子", "发展对象"]
    if ctx.profile == "big":
        return ["入党申请人"] * 2 + ["入党积极分子"] * 2 + ["发展对象", "预备党员", "预备党员", "正式党员"]
    if ctx.profile == "student":
        return ["入党申请人"] * 2 + ["入党积极分子"] * 2 + ["发展对象", "预备党员", "正式党员"]
    stages = ["入党申请人"] * rng.randint(1, 2) + ["入党积极分子"] * rng.randint(1, 2)
    stages += ["发展对象"] * rng.randint(0, 1) + ["预备党员"] + ["正式党员"] * rng.randint(0, 1)
    return stages


def _build_recruits(ctx: _Ctx) -> None:
    """The people in the recruitment pipeline; those admitted join the members as 预备/正式党员."""
    rng, y, end = ctx.rng, ctx.year, ctx.end
    admit_day: date | None = None  # several admitted by one 支部大会 in the small branch
    for stage in _stages(ctx):
        rec: dict[str, Any] = {"stage": stage}
        if stage == "入党申请人":
            rec["applied"] = _between(rng, *ctx.clip(end - timedelta(days=200), end - timedelta(days=5)))
            if rec["applied"] is None:
                continue
        elif stage == "入党积极分子":
            activist = _between(rng, end - timedelta(days=330), end - timedelta(days=15))
            assert activist is not None
            rec["activist"] = activist
        elif stage == "发展对象":
            candidate = _between(rng, *ctx.clip(end - timedelta(days=240), end - timedelta(days=10)))
            if candidate is None:
                continue
            rec["candidate"] = candidate
        elif stage == "预备党员":
            if admit_day is None:
                lo, hi = ctx.clip(date(y, 3, 1), min(date(y, 6, 30), end - timedelta(days=7)))
                admit_day = _workday(rng, lo, hi, ctx.busy) if lo <= hi else None
                if admit_day is None:
                    # Too early in the year: a member admitted late last year, still on probation.
                    lo2, hi2 = _add_years(end, -1) + timedelta(days=1), date(y - 1, 12, 31)
                    admit_day = _workday(rng, lo2, hi2) or hi2
                else:
                    ctx.busy.add(admit_day)
            rec["admitted"] = admit_day
        else:  # 正式党员: admitted last year, probation ended this year
            lo, hi = ctx.clip(date(y, 1, 5), end - timedelta(days=21))
            anniversary = _workday(rng, lo, hi) if lo <= hi else None
            if anniversary is None:
                continue
            rec["admitted"] = _add_years(anniversary, -1)
            rec["confirmed"] = anniversary
        _complete_dates(ctx, rec)
        ctx.recruits.append(rec)
    for rec in ctx.recruits:
        if rec.get("admitted") is not None:
            if rec["admitted"] >= ctx.start:
                # admitted this year: the admission 支部大会 is in this year's ledger
                for day, names in ctx.admissions:
                    if day == rec["admitted"]:
                        names.append(rec["_id"])
                        break
                else:
                    ctx.admissions.append((rec["admitted"], [rec["_id"]]))
            if rec.get("confirmed") is not None:
                ctx.confirmations.append((rec["confirmed"], rec["_id"]))


def _complete_dates(ctx: _Ctx, rec: dict[str, Any]) -> None:
    """Fill in the earlier stage dates backwards from the stage reached, by the rules' intervals."""
    rng = ctx.rng
    rec["_id"] = f"r{len(ctx.recruits)}"
    if "admitted" in rec:
        admitted: date = rec["admitted"]
        rec["trained"] = admitted - timedelta(days=rng.randint(15, 50))
        rec["candidate"] = rec["trained"] - timedelta(days=rng.randint(20, 60))
        gap = min(rng.randint(20, 75), max((ctx.end - admitted).days, 0))
        if gap >= 15:
            rec["approved"] = admitted + timedelta(days=gap)
    if "candidate" in rec:
        rec["activist"] = _add_months(rec["candidate"], -rng.randint(13, 18)) - timedelta(days=rng.randint(0, 20))
        if "admitted" not in rec and rng.random() < 0.5:
            trained = rec["candidate"] + timedelta(days=rng.randint(20, 50))
            if trained <= ctx.end:
                rec["trained"] = trained
    if "activist" in rec:
        rec["applied"] = _add_months(rec["activist"], -rng.randint(4, 10)) - timedelta(days=rng.randint(0, 20))
    rec["talked"] = rec["applied"] + timedelta(days=rng.randint(6, 25))
    if rec["talked"] > ctx.end:
        del rec["talked"]


def _fill_recruit_people(ctx: _Ctx) -> None:
    """Names, sponsors and contacts for the pipeline, once the established members are known."""
    rng = ctx.rng
    full = [m for m in ctx.members if m.core and m.full is not None and m.standing == "在册"]
    student = ctx.profile == "student"
    for rec in ctx.recruits:
        sex = "男" if rng.random() < (0.65 if student else 0.5) else "女"
        age = rng.randint(18, 19) if student else rng.randint(23, 33)
        birth = _between(rng, _add_years(rec["applied"], -age - 1) + timedelta(days=1), _add_years(rec["applied"], -age))
        assert birth is not None
        rec.update(name=ctx.names.make(sex, birth.year), gender=sex, birth_date=birth,
                   ethnicity=_ethnicity(rng), education=_education(rng, "学生" if student else "在职", birth.year))
        if student:
            # Students apply in their first year: the grade is the autumn they enrolled.
            grade = rec["applied"].year if rec["applied"].month >= 9 else rec["applied"].year - 1
            rec["job"] = f"{grade}级汽车运用与维修专业学生"
        else:
            rec["job"] = rng.choice(("执法队员", "科员", "办事员") if "执法" in ctx.name else _JOBS)
        if "activist" in rec and full:
            people = rng.sample(full, min(2 if rng.random() < 0.6 else 1, len(full)))
            rec["contact"] = "、".join(p.name for p in people)
        if "candidate" in rec and len(full) >= 2:
            sponsors = rng.sample(full, 2)
            rec["sponsors"] = "、".join(p.name for p in sponsors)
    # Members admitted through the pipeline.
    for rec in ctx.recruits:
        if rec.get("admitted") is None:
            continue
        category = "学生" if ctx.profile == "student" else "在职"
        m = _Member(
            name=rec["name"], gender=rec["gender"], birth=rec["birth_date"], education=rec["education"],
            join=rec["admitted"], full=rec.get("confirmed"), category=category, ethnicity=rec["ethnicity"],
            core=False,
        )
        ctx.members.append(m)
    # Replace recruit ids in the admissions list by names.
    names = {rec["_id"]: rec["name"] for rec in ctx.recruits}
    ctx.admissions = [(day, [names[i] for i in ids]) for day, ids in ctx.admissions]
    ctx.confirmations = [(day, names[i]) for day, i in ctx.confirmations]


def _recruitment_rows(ctx: _Ctx) -> list[dict[str, Any]]:
    keys = ("name", "gender", "birth_date", "ethnicity", "education", "job", "applied", "talked",
            "activist", "contact", "candidate", "sponsors", "trained", "admitted", "approved",
            "confirmed", "stage")
    order = {"正式党员": 0, "预备党员": 1, "发展对象": 2, "入党积极分子": 3, "入党申请人": 4}
    rows = []
    for rec in sorted(ctx.recruits, key=lambda r: (order[r["stage"]], r["applied"])):
        row = {k: rec.get(k) for k in keys}
        if rec["stage"] == "预备党员" and rec.get("approved") is None and rec["admitted"] >= ctx.start:
            row["note"] = "已报机关党委审批"
        elif rec["stage"] == "入党申请人" and rec.get("talked") is None:
            row["note"] = "拟近期安排谈话"
        else:
            row["note"] = None
        rows.append(row)
    for i, row in enumerate(rows, start=1):
        row = {"seq": i, **row}
        rows[i - 1] = row
    return rows


# --------------------------------------------------------------------------------------------
# 党员名册
# --------------------------------------------------------------------------------------------


def _roster_rows(ctx: _Ctx) -> list[dict[str, Any]]:
    post_order = {"书记": 0, "副书记": 1, "组织委员": 2, "宣传委员": 3, "纪检委员": 4, "其他委员": 5}
    members = sorted(ctx.members, key=lambda m: (post_order.get(m.post, 9), ctx.members.index(m)))
    ctx.members = members
    rows = []
    for i, m in enumerate(members, start=1):
        rows.append({
            "seq": i,
            "name": m.name,
            "gender": m.gender,
            "ethnicity": m.ethnicity,
            "birth_date": m.birth,
            "education": m.education,
            "join_date": m.join,
            "full_date": m.full,
            "member_type": m.member_type,
            "person_category": m.category,
            "party_post": m.post,
            "group": m.group or None,
            "standing": m.standing,
            "change_date": m.change,
            "note": m.note or None,
        })
    return rows


# --------------------------------------------------------------------------------------------
# 三会一课
# --------------------------------------------------------------------------------------------

_REASONS = ("出差", "病假", "因公外出", "事假", "外出培训", "值班")
_REASONS_RETIRED = ("身体原因", "住院治疗", "外地探亲", "行动不便")
_REASONS_STUDENT = ("校外实习", "参加技能大赛集训", "病假", "事假")


def _study_theme(year: int, month: int) -> str:
    """The main political study theme of a month (as branches of the time would write it)."""
    if year == 2024:
        if 4 <= month <= 7:
            return "党纪学习教育"
        if month >= 8:
            return "党的二十届三中全会精神"
        return "习近平新时代中国特色社会主义思想"
    if year == 2025:
        if 3 <= month <= 7:
            return "深入贯彻中央八项规定精神学习教育"
        if month >= 11:
            return "党的二十届四中全会精神"
        return "党的二十届三中全会精神"
    if year > 2025:
        return "党的二十届四中全会精神"
    return "习近平新时代中国特色社会主义思想"


def _study_titles(year: int, month: int) -> list[str]:
    """Titles of 集中学习研讨 sessions on the month's theme."""
    theme = _study_theme(year, month)
    if theme.endswith("学习教育"):
        return [
            f"{theme}第一专题：学习习近平总书记关于加强党的作风建设的重要论述",
            f"{theme}第二专题：对照中央八项规定及其实施细则精神查摆问题",
            f"{theme}第三专题：以案为鉴、以案促改",
            f"{theme}读书班交流研讨",
        ] if "八项规定" in theme else [
            f"{theme}专题学习：学习《中国共产党纪律处分条例》",
            f"{theme}专题研讨：严守政治纪律和组织纪律",
            f"{theme}专题研讨：严守廉洁纪律和群众纪律",
            f"{theme}专题研讨：严守工作纪律和生活纪律",
        ]
    return [
        f"学习贯彻{theme}专题研讨",
        f"学习贯彻{theme}，交流学习体会",
        "学习习近平总书记关于交通运输工作的重要论述专题研讨",
        "学习《习近平谈治国理政》专题研讨",
        "意识形态工作专题学习研讨",
        "学习《中国共产党章程》专题研讨",
    ]


def _study_phrase(year: int, month: int) -> str:
    theme = _study_theme(year, month)
    if theme.endswith("学习教育"):
        return f"开展{theme}专题学习"
    return f"学习贯彻{theme}"


_GM_TOPICS = {
    1: ["传达学习上级年度工作会议精神", "通报支部上年度工作和本年度工作要点", "学习《中国共产党党员教育管理工作条例》"],
    2: ["学习习近平总书记关于交通运输工作的重要论述", "通报上半年党费收缴情况", "学习《中国共产党纪律处分条例》"],
    3: ["学习《中国共产党支部工作条例（试行）》", "通报支部三季度工作情况", "开展意识形态工作专题学习"],
    4: ["通报全年工作完成情况", "部署年度组织生活会和民主评议党员工作", "学习宪法和党内法规"],
}
_CMTE_TOPICS = [
    "研究发展党员工作", "传达学习上级会议精神", "研究本月主题党日活动安排", "研究党费收缴工作",
    "研究党员教育培训计划", "研究意识形态工作", "分析党员思想状况", "研究党风廉政建设工作",
    "研究确定入党积极分子培养联系人", "研究困难党员慰问事项", "研究志愿服务活动安排",
    "研究“三会一课”落实情况", "研究支部学习计划", "研究党建与业务融合工作",
]
_LECTURES = [
    "弘扬伟大建党精神，做新时代合格共产党员",
    "严守党的纪律规矩，筑牢拒腐防变思想防线",
    "坚定理想信念，永葆共产党人政治本色",
    "以高质量党建引领交通运输高质量发展",
    "学习《中国共产党支部工作条例（试行）》，提升支部建设规范化水平",
    "践行“四下基层”，提升服务群众本领",
    "锲而不舍落实中央八项规定精神，持续纠治“四风”",
]


def _attendance(ctx: _Ctx, expected: int, *, low: float = 0.75) -> int:
    """A realistic number present: a few absent, never at or below half."""
    if expected <= 0:
        return 0
    absent = ctx.rng.choice((0, 0, 1, 1, 2, 3))
    floor_ok = min(expected, max(expected // 2 + 1, math.ceil(expected * low)))
    return max(expected - absent, floor_ok)


def _absentees(ctx: _Ctx, people: list[_Member], n: int, exclude: Iterable[str]) -> str | None:
    if n <= 0:
        return None
    skip = set(exclude)
    pool = [m for m in people if m.name not in skip]
    reasons = {"retired": _REASONS_RETIRED, "student": _REASONS_STUDENT}.get(ctx.profile, _REASONS)
    chosen = ctx.rng.sample(pool, min(n, len(pool)))
    return "、".join(f"{m.name}（{ctx.rng.choice(reasons)}）" for m in chosen)


def _recorder(ctx: _Ctx) -> str:
    m = ctx.by_post("组织委员") or next((x for x in ctx.members if x.name == ctx.contact), None)
    return m.name if m else ctx.secretary


def _meeting(ctx: _Ctx, day: date, kind: str, topics: list[str], host: str, recorder: str,
             people: list[_Member], resolution: str, present: int | None = None,
             note: str | None = None) -> dict[str, Any]:
    expected = len(people)
    if present is None:
        present = _attendance(ctx, expected, low=0.7 if ctx.profile == "retired" else 0.75)
    ctx.busy.add(day)
    ctx.referenced.update((host, recorder))
    return {
        "date": day,
        "meeting_type": kind,
        "topic": "；".join(topics),
        "topic_count": len(topics),
        "host": host,
        "recorder": recorder,
        "expected": expected,
        "present": present,
        "absentees": _absentees(ctx, people, expected - present, (host, recorder)),
        "resolution": resolution,
        "note": note,
    }


def _meetings(ctx: _Ctx) -> list[dict[str, Any]]:
    rng, y = ctx.rng, ctx.year
    rows: list[dict[str, Any]] = []
    sec, rec = ctx.secretary, _recorder(ctx)
    # Admission and confirmation votes: each a 支部党员大会 of its own.
    for day, names in ctx.admissions:
        people = ctx.roster_at(day)
        full = [m for m in people if m.full is not None and m.full <= day]
        who = "、".join(names)
        rows.append(_meeting(
            ctx, day, "支部党员大会", [f"讨论接收{who}同志为预备党员"], sec, rec, people,
            f"发展对象汇报思想和工作情况，入党介绍人介绍情况，支部报告审查情况。有表决权的正式党员{len(full)}人全部到会，"
            f"经无记名投票，一致同意接收{who}同志为中共预备党员，报机关党委审批。",
            present=len(people),
        ))
    for anniversary, name in ctx.confirmations:
        day = ctx.workday(anniversary, anniversary + timedelta(days=14), ctx.busy)
        if day is None:
            continue
        people = ctx.roster_at(day)
        rows.append(_meeting(
            ctx, day, "支部党员大会", [f"讨论{name}同志预备党员转正"], sec, rec, people,
            f"{name}同志汇报预备期表现，入党介绍人和党小组介绍情况。经表决，同意{name}同志按期转为正式党员，"
            f"报机关党委审批。",
        ))
    # Quarterly general meetings (the lazy branch holds two).
    quarters = [2, 4] if ctx.lazy else [1, 2, 3, 4]
    for q in quarters:
        month = 3 * q - 1
        day = ctx.workday(date(y, month, 8), date(y, month, 26), ctx.busy)
        if day is None:
            continue
        topics = [_study_phrase(y, month)] + rng.sample(_GM_TOPICS[q], rng.randint(1, 2))
        rows.append(_meeting(
            ctx, day, "支部党员大会", topics, sec, rec, ctx.roster_at(day),
            "全体党员集中学习，并结合本职工作交流了学习体会；会议通报了有关工作，对下一阶段工作作出安排。",
        ))
    # Monthly committee meetings where there is a committee.
    if _has_committee(ctx):
        months = sorted(rng.sample(range(1, 13), 5)) if ctx.lazy else list(range(1, 13))
        for month in months:
            members = [m for m in _committee(ctx)]
            day = ctx.workday(date(y, month, 2), date(y, month, 12), ctx.busy)
            if day is None:
                continue
            members = [m for m in members if _standing(m, day)]
            topics = rng.sample(_CMTE_TOPICS, rng.randint(1, 4))
            if month == 1:
                topics = ["研究制定本年度支部工作计划"] + topics[:2]
            if any(month == d.month and d.year == y for d, _ in ctx.admissions):
                topics = ["研究发展对象接收预备党员有关事项"] + [t for t in topics if t != "研究发展党员工作"][:2]
            present = len(members) - (1 if rng.random() < 0.15 else 0)
            rows.append(_meeting(
                ctx, day, "支委会", topics, sec, rec, members,
                "支委会逐项研究了议题，明确了责任人和完成时限。", present=present,
            ))
    # Monthly 党小组会 per group.
    groups = sorted({m.group for m in ctx.members if m.group})
    for g in groups:
        leader = next((m for m in ctx.members if m.group == g and m.note == f"{g}组长"), None)
        if leader is None:
            continue
        for month in range(1, 13):
            day = ctx.workday(date(y, month, 14), date(y, month, 27))
            if day is None:
                continue
            people = [m for m in ctx.roster_at(day) if m.group == g]
            others = [m for m in people if m is not leader and m.full is not None]
            recorder = others[month % len(others)].name if others else leader.name
            topic = [_study_phrase(y, month), rng.choice(["交流学习体会", "讨论本组党员思想和工作情况", "收集对支部工作的意见建议"])]
            rows.append(_meeting(
                ctx, day, "党小组会", topic, leader.name, recorder, people,
                "组内党员逐一发言，交流学习体会，结合岗位工作谈了打算。",
            ))
    # Quarterly 党课; the secretary gives the one around 七一.
    lectures = [2, 4] if ctx.lazy else [1, 2, 3, 4]
    speakers = [m.name for m in _committee(ctx) if m.name != sec] or [sec]
    titles = rng.sample(_LECTURES, 4)
    planned = []
    for q in lectures:
        if q == 2:
            day = ctx.workday(date(y, 6, 16), date(y, 6, 30), ctx.busy)
        else:
            month = rng.choice([3 * q - 2, 3 * q - 1, 3 * q])
            day = ctx.workday(date(y, month, 10), date(y, month, 28), ctx.busy)
        if day is not None:
            planned.append((q, day))
    by_secretary = next((q for q, d in planned if q == 2), planned[0][0] if planned else None)
    for i, (q, day) in enumerate(planned):
        host = sec if q == by_secretary else speakers[i % len(speakers)]
        title = f"庆祝建党{y - 1921}周年专题党课：{titles[i]}" if q == 2 and host == sec else titles[i]
        recorder = rec if rec != host else next((m.name for m in ctx.members if m.name not in (host, sec)
                                                 and m.core and m.standing == "在册"), sec)
        rows.append(_meeting(
            ctx, day, "党课", [title], host, recorder, ctx.roster_at(day),
            "授课人结合工作实际讲授党课，党员认真听讲并作学习笔记。",
            note="书记讲党课" if host == sec else None,
        ))
    rows.sort(key=lambda r: (r["date"], r["meeting_type"]))
    return [{"seq": i, **r} for i, r in enumerate(rows, start=1)]


# --------------------------------------------------------------------------------------------
# 组织生活
# --------------------------------------------------------------------------------------------


def _theme_days(ctx: _Ctx) -> dict[int, tuple[str, str]]:
    y = ctx.year
    retired, student = ctx.profile == "retired", ctx.profile == "student"
    themes = {
        1: ("新春走访慰问老党员和困难党员", "党员家中"),
        2: ("学习上级年度工作会议精神，谈新年打算", "支部活动室"),
        3: ("学雷锋志愿服务进社区", "幸福里社区"),
        4: ("清明祭英烈，缅怀革命先烈", f"{CITY}革命烈士陵园"),
        5: ("“五四”青年党员座谈交流" if not retired else "“老少共话”传承红色家风", "支部活动室"),
        6: ("重温入党誓词，坚定理想信念", "党员活动室"),
        7: (f"庆祝中国共产党成立{y - 1921}周年", "党员活动室"),
        8: ("学习《交通强国建设纲要》", "支部活动室"),
        9: ("全民国防教育日主题学习", "支部活动室"),
        10: ("“迎国庆”爱国主义教育", f"{CITY}党史馆"),
        11: ("“119”消防安全宣传和应急疏散演练", "局机关办公楼"),
        12: ("“12·4”国家宪法日学习宣传", "支部活动室"),
    }
    if retired:
        themes[3] = ("银发先锋志愿服务进社区", "幸福里社区")
        themes[11] = ("老党员讲传统、话变迁座谈会", "老干部活动中心")
    if student:
        themes[3] = ("“青春护航”交通安全宣传进校园", "学院实训楼")
        themes[9] = ("迎新生党员志愿服务", "学院报到点")
    return themes


def _activity(ctx: _Ctx, day: date, kind: str, title: str, place: str, participants: int,
              attendees: str | None, content: str, note: str | None = None) -> dict[str, Any]:
    return {
        "date": day, "activity_type": kind, "title": title, "place": place,
        "participants": max(participants, 1), "attendees": attendees, "content": content, "note": note,
    }


def _activities(ctx: _Ctx) -> list[dict[str, Any]]:
    rng, y = ctx.rng, ctx.year
    rows: list[dict[str, Any]] = []
    room = {"retired": "老干部活动中心", "student": "学院党员活动室"}.get(ctx.profile, "支部活动室")
    themes = _theme_days(ctx)
    months = sorted(rng.sample(range(1, 13), 7)) if ctx.lazy else list(range(1, 13))
    fixed_day = rng.randint(10, 20)
    for month in months:
        day = ctx.workday(date(y, month, fixed_day - 3), date(y, month, fixed_day + 3))
        if day is None:
            continue
        title, place = themes[month]
        n = len(ctx.roster_at(day))
        rows.append(_activity(
            ctx, day, "主题党日", title, room if place == "支部活动室" else place,
            _attendance(ctx, n), "全体党员",
            "按照“主题党日”固定流程，集中学习、开展活动，党员交流了心得体会。",
        ))
    # 组织生活会 and 民主评议党员 for the past year, early in this one; talks before them.
    talk_day = ctx.workday(date(y, 1, 6), date(y, 1, 16))
    olm_day = ctx.workday(date(y, 1, 20), date(y, 2, 12))
    if talk_day is not None:
        c = len(_committee(ctx))
        n = len(ctx.roster_at(talk_day))
        rows.append(_activity(
            ctx, talk_day, "谈心谈话", f"{y - 1}年度组织生活会会前谈心谈话", room, c * (c - 1) // 2 + n - 1,
            "支委委员之间、支委委员与党员之间",
            "书记与每名党员谈心谈话，听取意见建议，相互提醒，为开好组织生活会作准备。",
        ))
    if olm_day is not None:
        people = ctx.roster_at(olm_day)
        present = _attendance(ctx, len(people))
        problems = rng.randint(6, 15)
        rows.append(_activity(
            ctx, olm_day, "组织生活会", f"{y - 1}年度组织生活会", room, present,
            "全体党员，机关党委委员到会指导",
            f"支部书记代表支委会作对照检查，党员逐一开展批评和自我批评，共查摆问题{problems}条，形成整改清单。",
        ))
        review_day = ctx.workday(olm_day, olm_day + timedelta(days=4))
        if review_day is not None:
            full = [m for m in people if m.full is not None]
            excellent = max(1, round(len(full) * 0.15))
            rows.append(_activity(
                ctx, review_day, "民主评议党员", f"{y - 1}年度民主评议党员", room, present, "全体党员",
                f"经个人自评、党员互评和民主测评，评定优秀党员{excellent}名、合格党员{len(full) - excellent}名。",
            ))
    mid_talk = ctx.workday(date(y, 7, 1), date(y, 7, 25))
    if mid_talk is not None and not ctx.lazy:
        rows.append(_activity(
            ctx, mid_talk, "谈心谈话", "年中谈心谈话", room, max(2, len(ctx.roster_at(mid_talk)) // 2),
            "支委委员与分管联系党员", "了解党员思想、工作和生活情况，帮助解决实际困难2件。",
        ))
    study_months = [4, 9] if ctx.lazy else sorted(rng.sample([3, 4, 5, 6, 8, 9, 10, 11], rng.randint(4, 6)))
    used_titles: set[str] = set()
    for month in study_months:
        day = ctx.workday(date(y, month, 18), date(y, month, 28), ctx.busy)
        if day is None:
            continue
        options = [t for t in _study_titles(y, month) if t not in used_titles] or _study_titles(y, month)
        title = rng.choice(options)
        used_titles.add(title)
        n = len(ctx.roster_at(day))
        rows.append(_activity(
            ctx, day, "集中学习研讨", title, room, _attendance(ctx, n), "全体党员",
            f"{rng.randint(3, 6)}名党员作重点发言，结合岗位工作谈认识、找差距、提措施。",
        ))
    visits = {
        "retired": [("参观城市建设新成就", f"{CITY}城市规划馆")],
        "student": [("参观见学红色教育基地", f"{CITY}革命历史纪念馆"), ("走进交通建设一线", "绕城高速公路扩容工程项目部")],
    }.get(ctx.profile, [("参观见学廉政教育基地", f"{CITY}廉政教育基地"), ("赴红色教育基地开展党性教育", f"{CITY}革命历史纪念馆")])
    if not ctx.lazy:
        for title, place in visits[: rng.randint(1, len(visits))]:
            day = ctx.workday(date(y, rng.choice([5, 6, 9, 10]), 8), date(y, 10, 30))
            if day is None:
                continue
            n = len(ctx.roster_at(day))
            rows.append(_activity(
                ctx, day, "参观见学", title, place, _attendance(ctx, n, low=0.6), "全体党员",
                "通过实地参观、现场教学，党员接受了一次深刻的党性教育。",
            ))
    volunteering = {
        "retired": ["银发宣讲团进社区宣讲", "社区垃圾分类宣传志愿服务"],
        "student": ["春运客运站志愿服务", "“青春护航”交通安全进校园"],
    }.get(ctx.profile, ["文明城市创建志愿服务", "春运客运站志愿服务", "“交通安全进社区”宣传志愿服务"])
    for title in volunteering[: 1 if ctx.lazy else rng.randint(2, len(volunteering))]:
        if "春运" in title:
            day = ctx.workday(date(y, 1, 15), date(y, 2, 20))
        else:
            month = rng.choice([3, 5, 6, 8, 10, 11])
            day = ctx.workday(date(y, month, 3), date(y, month, 28))
        if day is None:
            continue
        n = len(ctx.roster_at(day))
        rows.append(_activity(
            ctx, day, "志愿服务", title, "城南客运站" if "春运" in title else "幸福里社区",
            _attendance(ctx, n, low=0.5), "党员志愿者", "党员佩戴党员徽章上岗，开展宣传引导和便民服务。",
        ))
    if not ctx.lazy and ctx.rng.random() < 0.6:
        day = ctx.workday(date(y, 8, 1), date(y, 9, 20))
        if day is not None:
            n = len(ctx.roster_at(day))
            rows.append(_activity(
                ctx, day, "警示教育", "观看警示教育片，开展以案促改", room, _attendance(ctx, n), "全体党员",
                "通报典型案例，党员交流观后感，进一步筑牢拒腐防变思想防线。",
            ))
    rows.sort(key=lambda r: (r["date"], r["activity_type"]))
    return [{"seq": i, **r} for i, r in enumerate(rows, start=1)]


# --------------------------------------------------------------------------------------------
# 党费收缴
# --------------------------------------------------------------------------------------------


def _rate_text(category: str, base: Decimal, settings: config.Settings) -> str:
    brackets = {"在职": "working", "离退休": "retired"}.get(category)
    if brackets is None:
        return "定额"
    for upper, rate in settings.dues[brackets]:
        if base <= upper:
            return f"{format((rate * 100).normalize(), 'f')}%"
    return ""  # pragma: no cover - the last bracket is unbounded


def _monthly_due(category: str, base: Decimal, settings: config.Settings) -> Decimal:
    from .validate import expected_monthly_due

    allowed = expected_monthly_due(category, base, settings)
    if allowed is None:  # pragma: no cover - every category used here has a rule
        raise ValueError(category)
    return allowed[0]


def _base(ctx: _Ctx, m: _Member) -> Decimal:
    rng = ctx.rng
    if m.category == "学生":
        return Decimal("0.00")
    if m.category == "离退休":
        value = rng.uniform(3000, 8000)
    else:
        age = ctx.year - m.birth.year
        weights = [0.25, 0.5, 0.25, 0.0] if age < 30 else [0.05, 0.3, 0.5, 0.15] if age < 45 else [0.0, 0.15, 0.55, 0.3]
        tier = rng.choices(range(4), weights)[0]
        lo, hi = [(2900, 3000), (3000.01, 5000), (5000.01, 10000), (10000.01, 15000)][tier]
        if tier == 0 and rng.random() < 0.5:
            return Decimal("3000.00")
        value = rng.uniform(lo, hi)
    step = rng.choice([Decimal("1"), Decimal("0.5"), Decimal("0.01")])
    return (Decimal(str(value)) / step).quantize(Decimal("1"), ROUND_HALF_UP) * step + Decimal("0.00")


def paid_through(year: int, as_of: date) -> int:
    """The last month of `year` whose dues are collected by `as_of` (0–12).

    Branches collect dues in the first ten days of a month.
    """
    if as_of > date(year, 12, 31):
        return 12
    if as_of < date(year, 1, 1):
        return 0
    return as_of.month if as_of.day >= 10 else as_of.month - 1


def months_passed(year: int, as_of: date) -> int:
    """How many whole months of `year` have ended before `as_of` (0–12)."""
    return sum(1 for m in range(1, 13) if _month_end(year, m) < as_of)


def _dues_rows(ctx: _Ctx) -> list[dict[str, Any]]:
    settings = config.defaults(ctx.year)
    last = paid_through(ctx.year, ctx.as_of)
    rows = []
    boundary_done = False
    for m in ctx.members:
        base = _base(ctx, m)
        if ctx.profile == "big" and not boundary_done and m.category == "在职" and m.core and m.post == "党员":
            base, boundary_done = Decimal("5000.00"), True  # a bracket boundary: 含 → 1%
        due = _monthly_due(m.category, base, settings)
        first, final = 1, last
        if m.join >= ctx.start:
            first = m.join.month  # 预备党员 pay from the month of the 支部大会
        if m.standing == "转入" and m.change is not None:
            first = max(first, m.change.month)  # from the month of the transfer, as statistics counts
        if m.standing == "转出" and m.change is not None:
            final = min(final, m.change.month)
        row: dict[str, Any] = {
            "name": m.name, "person_category": m.category, "base": base,
            "rate": _rate_text(m.category, base, settings), "monthly_due": due,
        }
        for month in range(1, 13):
            row[f"m{month}"] = due if first <= month <= final else None
        paid = [row[f"m{k}"] for k in range(1, 13) if row[f"m{k}"] is not None]
        row["total"] = sum(paid, Decimal("0")) if paid else None
        note = None
        if m.standing == "转出" and m.change is not None:
            note = f"{m.change.month}月转出，党费交至{m.change.month}月"
        elif m.standing == "转入" and m.change is not None:
            note = f"{m.change.month}月转入，此前党费在原党支部交纳"
        elif m.join >= ctx.start:
            note = f"{m.join.month}月{m.join.day}日接收为预备党员，当月起交纳"
        row["note"] = note
        rows.append(row)
    return [{"seq": i, **r} for i, r in enumerate(rows, start=1)]


# --------------------------------------------------------------------------------------------
# 年度小结
# --------------------------------------------------------------------------------------------


def _count(rows: list[dict[str, Any]], key: str, value: str) -> int:
    return sum(1 for r in rows if r.get(key) == value)


def _summary(ctx: _Ctx, meetings: list[dict[str, Any]], activities: list[dict[str, Any]],
             recruitment: list[dict[str, Any]]) -> dict[str, Any]:
    y = ctx.year
    gm = _count(meetings, "meeting_type", "支部党员大会")
    cm = _count(meetings, "meeting_type", "支委会")
    grp = _count(meetings, "meeting_type", "党小组会")
    lec = _count(meetings, "meeting_type", "党课")
    theme = _count(activities, "activity_type", "主题党日")
    study = _count(activities, "activity_type", "集中学习研讨")
    vol = _count(activities, "activity_type", "志愿服务")
    admitted = [r["name"] for r in recruitment if isinstance(r.get("admitted"), date) and r["admitted"] >= ctx.start]
    confirmed = [r["name"] for r in recruitment if isinstance(r.get("confirmed"), date) and r["confirmed"] >= ctx.start]
    activists = sum(1 for r in recruitment if r["stage"] in ("入党积极分子", "发展对象"))
    main_theme = _study_theme(y, 6)
    in_standing_now = len(ctx.roster_at(ctx.end)) if ctx.end >= ctx.start else len(ctx.members)

    meetings_line = f"全年召开支部党员大会{gm}次"
    if cm:
        meetings_line += f"、支委会{cm}次"
    if grp:
        meetings_line += f"、党小组会{grp}次"
    highlights = [
        f"坚持把政治建设摆在首位。{meetings_line}，开展集中学习研讨{study}次，"
        f"{'开展' if main_theme.endswith('学习教育') else '深入学习贯彻'}{main_theme}，"
        "党员的政治判断力、政治领悟力、政治执行力进一步提高。",
        f"严格落实组织生活制度。按月开展主题党日{theme}次，讲党课{lec}次，书记带头讲党课；"
        "召开年度组织生活会，认真开展批评和自我批评，开展民主评议党员。",
    ]
    if admitted or confirmed or activists:
        parts = []
        if admitted:
            parts.append(f"接收{'、'.join(admitted)}同志为预备党员")
        if confirmed:
            parts.append(f"按期为{'、'.join(confirmed)}同志办理转正")
        if activists:
            parts.append(f"培养入党积极分子和发展对象{activists}名")
        highlights.append(
            "规范做好发展党员和党员管理工作。坚持标准、严格程序，" + "，".join(parts)
            + f"；按规定标准按月收缴{in_standing_now}名党员的党费。"
        )
    else:
        highlights.append(f"规范党员日常管理。按规定标准按月收缴{in_standing_now}名党员的党费，及时更新党员名册。")
    if ctx.profile == "retired":
        highlights.append(
            f"发挥老党员余热。组织银发宣讲团进社区宣讲，开展志愿服务{vol}次，"
            "走访慰问高龄、患病和困难老党员，让老同志感受到组织的温暖。"
        )
    elif ctx.profile == "student":
        highlights.append(
            f"发挥学生党员先锋模范作用。组织学生党员开展志愿服务{vol}次，"
            "在技能竞赛、社会实践和学风建设中带头示范。"
        )
    elif ctx.profile == "big":
        highlights.append(
            f"发挥党小组作用。{len({m.group for m in ctx.members if m.group})}个党小组每月开展学习，"
            f"党员在公路养护、应急保通一线亮身份、作表率，组织志愿服务{vol}次。"
        )
    elif not ctx.lazy:
        highlights.append(
            f"推动党建与业务深度融合。组织党员志愿服务{vol}次，围绕中心工作设立党员先锋岗，"
            "以党建引领业务工作提质增效。"
        )

    problems = [
        "理论学习的深度和广度还不够，有的党员满足于读原文、记笔记，联系实际思考不够深入。",
        "组织生活的形式还比较单一，吸引力和感染力有待增强。",
    ]
    if ctx.lazy:
        problems.insert(0, "“三会一课”制度落实不够严格，支委会和党课召开次数未达到规定要求，有的会议记录不够完整。")
    elif ctx.profile == "retired":
        problems.append("部分老党员年事已高、行动不便，参加集中活动较难，送学上门的覆盖面还需扩大。")
    elif ctx.profile == "student":
        problems.append("学生党员流动性大，实习期间的教育管理存在薄弱环节。")
    else:
        problems.append("党建与业务融合还不够紧密，党员先锋岗的作用发挥不够均衡。")

    plans = [
        f"持续加强理论武装，认真落实“第一议题”制度，深入学习贯彻{_study_theme(y, 12)}。",
        "严格落实“三会一课”、主题党日、谈心谈话等制度，提高组织生活质量。",
        "严格按照程序做好发展党员工作，加强对入党积极分子和发展对象的培养考察。",
    ]
    if ctx.profile == "retired":
        plans.append("完善走访慰问和送学上门机制，引导老党员发挥余热。")
    elif ctx.lazy:
        plans.append("建立“三会一课”月度提醒和台账检查制度，确保各项组织生活按时召开、规范记录。")
    else:
        plans.append("深化党建与业务融合，开展党员先锋岗创建活动，推动中心工作落地见效。")

    def numbered(items: list[str]) -> str:
        return "\n".join(f"{i}. {text}" for i, text in enumerate(items, start=1))

    filled = min(ctx.as_of, date(y + 1, 1, 10))
    return {
        "highlights": numbered(highlights),
        "problems": numbered(problems),
        "plans": numbered(plans),
        "filler": ctx.contact,
        "secretary": ctx.secretary,
        "filled_date": filled,
    }


# --------------------------------------------------------------------------------------------
# Messy input
# --------------------------------------------------------------------------------------------


def _make_messy(ctx: _Ctx, fill: BranchFill) -> None:
    """Type a few cells the way people do: dates and amounts as text, names with full-width spaces."""
    rng = ctx.rng
    if rng.random() < 0.4:
        return
    events = [("meetings", i) for i in range(len(fill.ledgers["meetings"]))]
    events += [("activities", i) for i in range(len(fill.ledgers["activities"]))]
    for ledger_id, i in rng.sample(events, min(len(events), rng.randint(1, 2))):
        row = fill.ledgers[ledger_id][i]
        row["date"] = _text_date(row["date"], rng.randint(0, 1))
    dues = [r for r in fill.ledgers["dues"] if isinstance(r["base"], Decimal) and r["base"] >= 1000]
    if dues:
        row = rng.choice(dues)
        row["base"] = f"{row['base']:,.2f}"
    plain = [
        r for r in fill.ledgers["roster"]
        if r["party_post"] == "党员" and r["name"] not in ctx.referenced and not r.get("note")
        and not any(r["name"] in str(x.get("contact") or "") + str(x.get("sponsors") or "")
                    for x in fill.ledgers["recruitment"])
        and not any(r["name"] == x["name"] for x in fill.ledgers["recruitment"])
    ]
    if not plain:
        return
    trailing = rng.choice(plain)
    trailing["name"] = trailing["name"] + "\u3000"  # pasted from another document
    two = [r for r in plain if len(r["name"]) == 2 and r is not trailing]
    if two:
        # Aligned the way people align two-character names; the dues sheet was copied from it.
        row = rng.choice(two)
        spaced = row["name"][0] + "\u3000" + row["name"][1]
        for due in fill.ledgers["dues"]:
            if due["name"] == row["name"]:
                due["name"] = spaced
        row["name"] = spaced


# --------------------------------------------------------------------------------------------
# Planted mistakes
# --------------------------------------------------------------------------------------------

_GROUPS: tuple[tuple[str, ...], ...] = (
    ("DUES-RATE", "CELL-ENUM"),
    ("DUES-6M", "MEET-ATTEND", "CELL-REQUIRED"),
    ("MEET-QUORUM", "CELL-YEAR"),
    ("REC-ACTIVIST-1Y", "REC-PROBATION-1Y"),
)


def _candidates(fill: BranchFill, rule: str) -> list[tuple[str, int]]:
    """(ledger id, row index) of the rows where `rule`'s mistake could be planted cleanly."""
    led = fill.ledgers
    out: list[tuple[str, int]] = []

    def typed_date(row: dict[str, Any], key: str) -> bool:
        return isinstance(row.get(key), date)

    if rule == "DUES-RATE":
        out = [("dues", i) for i, r in enumerate(led.get("dues", []))
               if r["person_category"] == "在职" and isinstance(r["base"], Decimal)
               and Decimal("5000") < r["base"] <= Decimal("10000") and not r.get("note")]
    elif rule == "DUES-6M":
        if fill.as_of is not None and months_passed(fill.year, fill.as_of) >= 8:
            out = [("dues", i) for i, r in enumerate(led.get("dues", []))
                   if not r.get("note") and r["person_category"] in ("在职", "离退休")
                   and all(isinstance(r[f"m{k}"], Decimal) for k in range(1, 9))]
    elif rule in ("MEET-QUORUM", "MEET-ATTEND", "CELL-REQUIRED", "CELL-YEAR"):
        for i, r in enumerate(led.get("meetings", [])):
            if not typed_date(r, "date"):
                continue
            kind = r["meeting_type"]
            if rule == "MEET-QUORUM" and kind == "支部党员大会" and r["expected"] >= 6 and "预备党员" not in r["topic"]:
                out.append(("meetings", i))
            elif rule == "MEET-ATTEND" and kind == "党课" and r.get("note") != "书记讲党课":
                out.append(("meetings", i))
            elif rule == "CELL-REQUIRED" and kind == "支委会" and r["date"].month > 1:
                out.append(("meetings", i))
            elif rule == "CELL-YEAR" and kind == "支委会" and r["date"].month == 1:
                out.append(("meetings", i))
    elif rule == "CELL-ENUM":
        out = [("roster", i) for i, r in enumerate(led.get("roster", []))
               if r.get("education") == "大学本科" and r["name"] == clean_name(r["name"])]
    elif rule == "REC-ACTIVIST-1Y":
        out = [("recruitment", i) for i, r in enumerate(led.get("recruitment", []))
               if r["stage"] == "发展对象" and typed_date(r, "activist") and typed_date(r, "candidate")]
    elif rule == "REC-PROBATION-1Y":
        out = [("recruitment", i) for i, r in enumerate(led.get("recruitment", []))
               if r["stage"] == "正式党员" and typed_date(r, "admitted") and typed_date(r, "confirmed")]
    return out


def _plant(rng: random.Random, code: str, fill: BranchFill, rule: str, ledger_id: str, index: int) -> PlantedMistake:
    row = fill.ledgers[ledger_id][index]
    year = fill.year
    if rule == "DUES-RATE":
        base: Decimal = row["base"]
        right = row["monthly_due"]
        wrong = (base * Decimal("0.01")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        row["monthly_due"] = wrong
        for k in range(1, 13):
            if row[f"m{k}"] is not None:
                row[f"m{k}"] = wrong
        _retotal(row)
        return PlantedMistake(code, ledger_id, index, "monthly_due", rule,
                              f"{clean_name(row['name'])}月计算基数{base}元，应按1.5%交纳{right}元，台账按1%算成{wrong}元")
    if rule == "DUES-6M":
        last = months_passed(year, fill.as_of or date(year, 12, 31))
        start = rng.randint(2, max(2, min(last - 6, 6)))
        for k in range(start, start + 6):
            row[f"m{k}"] = None
        _retotal(row)
        return PlantedMistake(code, ledger_id, index, f"m{start}", rule,
                              f"{clean_name(row['name'])}{start}月至{start + 5}月连续6个月未交党费，支部未作处理")
    if rule == "MEET-QUORUM":
        expected = row["expected"]
        row["present"] = expected // 2
        row["absentees"] = f"{expected - expected // 2}名党员因参加全市交通运输安全大检查请假"
        return PlantedMistake(code, ledger_id, index, "present", rule,
                              f"{row['date']}支部党员大会应到{expected}人、实到{expected // 2}人，未超过半数")
    if rule == "MEET-ATTEND":
        extra = rng.randint(1, 3)
        row["present"] = row["expected"] + extra
        row["absentees"] = None
        return PlantedMistake(code, ledger_id, index, "present", rule,
                              f"{row['date']}党课实到{row['present']}人，多于应到{row['expected']}人（把列席人员也算进了实到人数）")
    if rule == "CELL-REQUIRED":
        row["host"] = None
        return PlantedMistake(code, ledger_id, index, "host", rule, f"{row['date']}支委会没有填写主持人")
    if rule == "CELL-YEAR":
        right = row["date"]
        row["date"] = right.replace(year=right.year - 1)
        return PlantedMistake(code, ledger_id, index, "date", rule,
                              f"{right}的支委会日期误写成{row['date']}（年初沿用了上一年的年份）")
    if rule == "CELL-ENUM":
        row["education"] = "本科"
        return PlantedMistake(code, ledger_id, index, "education", rule,
                              f"{row['name']}的学历手工填成“本科”，不是下拉选项中的“大学本科”")
    if rule == "REC-ACTIVIST-1Y":
        activist: date = row["activist"]
        row["candidate"] = _add_months(activist, 10) + timedelta(days=rng.randint(0, 15))
        return PlantedMistake(code, ledger_id, index, "candidate", rule,
                              f"{row['name']}{activist}确定为入党积极分子，{row['candidate']}即确定为发展对象，培养不满一年")
    if rule == "REC-PROBATION-1Y":
        admitted: date = row["admitted"]
        early = _add_months(admitted, 11) + timedelta(days=rng.randint(0, 15))
        for roster_row in fill.ledgers.get("roster", []):
            if clean_name(roster_row["name"]) == clean_name(row["name"]) and roster_row.get("full_date") == row["confirmed"]:
                roster_row["full_date"] = early
        row["confirmed"] = early
        return PlantedMistake(code, ledger_id, index, "confirmed", rule,
                              f"{row['name']}{admitted}接收为预备党员，{early}即转正，预备期不满一年")
    raise KeyError(rule)  # pragma: no cover


def _retotal(row: dict[str, Any]) -> None:
    paid = [row[f"m{k}"] for k in range(1, 13) if isinstance(row[f"m{k}"], Decimal)]
    row["total"] = sum(paid, Decimal("0")) if paid else None


def plant_mistakes(rng: random.Random, fills: dict[str, BranchFill], year: int) -> list[PlantedMistake]:
    """Put realistic mistakes into three or four branches (in place) and return where they are.

    The mistakes come in groups, one group per branch, never in the lazy branch: a wrong 月应交
    and an education typed by hand; six unpaid months, 实到 above 应到 and an empty 主持人;
    a 支部党员大会 below quorum and a meeting dated in the previous year; an activist made a
    发展对象 too early and a 转正 before the year of probation is over. A mistake that no branch's
    data allows (for example six unpaid months early in the year) is left out.
    """
    for fill in fills.values():
        fill.year = fill.year or year
    codes = sorted(code for code, f in fills.items() if not f.lazy)
    used: list[str] = []
    planted: list[PlantedMistake] = []
    for group in _GROUPS:
        eligible = [c for c in codes if c not in used and all(_candidates(fills[c], r) for r in group)]
        if eligible:
            code = rng.choice(eligible)
            assignments = [(rule, code) for rule in group]
        else:
            assignments = []
            for rule in group:
                options = [c for c in codes if _candidates(fills[c], rule)]
                preferred = [c for c in options if c in used] or options
                if preferred:
                    assignments.append((rule, rng.choice(preferred)))
        for rule, code in assignments:
            ledger_id, index = rng.choice(_candidates(fills[code], rule))
            planted.append(_plant(rng, code, fills[code], rule, ledger_id, index))
            if code not in used:
                used.append(code)
    return planted


# --------------------------------------------------------------------------------------------
# Everything at once
# --------------------------------------------------------------------------------------------


@dataclass
class DemoData:
    """The whole demo dataset for one seed."""

    organisation: dict[str, str]
    branches: list[BranchRow]
    fills: dict[str, BranchFill]
    mistakes: list[PlantedMistake]


def build_dataset(seed: int, year: int, as_of: date) -> DemoData:
    """Organisation, branches, every branch's fill and the planted mistakes for `seed`."""
    rng = random.Random(seed)
    branches = demo_branches(rng)
    fills = {b.code: generate_branch(rng, b, year, as_of) for b in branches}
    mistakes = plant_mistakes(rng, fills, year)
    return DemoData(demo_organisation(), branches, fills, mistakes)
