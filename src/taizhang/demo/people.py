"""The demo's people: names, members with consistent dates (joining, transfers, posts), and the
roster rows a branch would type."""


from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterable

from taizhang.party.calendar import add_months, day_before
from taizhang.party.hosts import name_key
from taizhang.party.members import committee_required, counted_on, full_on
from taizhang.workspace import config

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


class NameSource:
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
    return "女" if name_key(name)[1:] in _FEMALE_GIVEN else "男"


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def add_years(d: date, n: int) -> date:
    """`d` moved by `n` years, 29 February clamped to the 28th (as `party.calendar.add_months`)."""
    return add_months(d, 12 * n)


def between(rng: random.Random, lo: date, hi: date) -> date | None:
    if hi < lo:
        return None
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def _holiday(d: date) -> bool:
    """New Year's Day and the May Day and National Day holidays (the fixed-date ones)."""
    return (d.month, d.day) == (1, 1) or (d.month == 5 and d.day <= 5) or (d.month == 10 and d.day <= 8)


def pick_workday(rng: random.Random, lo: date, hi: date, avoid: Iterable[date] = ()) -> date | None:
    blocked = set(avoid)
    days = [lo + timedelta(days=k) for k in range((hi - lo).days + 1)]
    days = [d for d in days if d.weekday() < 5 and not _holiday(d) and d not in blocked]
    return rng.choice(days) if days else None


def text_date(d: date, style: int) -> str:
    return f"{d.year}.{d.month}.{d.day}" if style == 0 else f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------------------------


@dataclass
class Member:
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
    base: Decimal | None = None  # 月计算基数, set once and kept from year to year

    @property
    def member_type(self) -> str:
        return "正式党员" if self.full is not None else "预备党员"


def member_in_standing(m: Member, day: date) -> bool:
    """Whether a demo member is in standing at the end of `day` (`party.members.counted_on`)."""
    return counted_on(m.standing, m.join, m.change, day)


def expected_at_meeting(m: Member, day: date) -> bool:
    """Whether a demo member is among those entitled to attend a meeting held on `day`: in
    standing when the day began (`party.members`: a 发展对象 admitted that day is not)."""
    return counted_on(m.standing, m.join, m.change, day_before(day))


def pick_education(rng: random.Random, category: str, birth_year: int) -> str:
    if category == "学生":
        return "大学专科"
    if category == "离退休":
        options = {"大学本科": 25, "大学专科": 30, "中等专科": 20, "高中": 15, "初中及以下": 10}
    elif birth_year >= 1985:
        options = {"研究生": 35, "大学本科": 60, "大学专科": 5}
    else:
        options = {"研究生": 15, "大学本科": 60, "大学专科": 18, "中等专科": 5, "高中": 2}
    return rng.choices(list(options), list(options.values()))[0]


def pick_ethnicity(rng: random.Random) -> str:
    return "汉族" if rng.random() < 0.93 else rng.choice(_MINORITIES)


@dataclass
class Ctx:
    rng: random.Random
    code: str
    name: str
    year: int
    as_of: date
    profile: str
    lazy: bool
    names: NameSource
    secretary: str
    contact: str
    members: list[Member] = field(default_factory=list)
    recruits: list[dict[str, Any]] = field(default_factory=list)
    admissions: list[tuple[date, list[str]]] = field(default_factory=list)  # 支部大会 admitting
    confirmations: list[tuple[date, str]] = field(default_factory=list)  # (earliest date, name)
    transfers: list[Member] = field(default_factory=list)
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
        return pick_workday(self.rng, lo, hi, avoid) if lo <= hi else None

    def roster_at(self, day: date) -> list[Member]:
        """The members in standing at the end of `day`."""
        return [m for m in self.members if member_in_standing(m, day)]

    def expected_at(self, day: date) -> list[Member]:
        """The members entitled to attend a meeting held on `day`."""
        return [m for m in self.members if expected_at_meeting(m, day)]

    def by_post(self, post: str) -> Member | None:
        return next((m for m in self.members if m.post == post), None)


def _core_member(ctx: Ctx, category: str, *, name: str | None = None, gender: str | None = None,
                 age: tuple[int, int] | None = None) -> Member:
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
    birth = between(rng, date(year - years - 1, 1, 2), date(year - years, 1, 1))
    assert birth is not None
    sex = gender or ("男" if rng.random() < p_male else "女")
    if category == "学生":
        lo = add_years(birth, 18) + timedelta(days=120)
        hi = date(year - 1, 1, 1) - timedelta(days=1)
    else:
        lo = add_years(birth, 21 if category == "在职" else 20)
        hi = min(add_years(birth, min(years - 1, 45)), date(year - 2, 12, 31))
    join = between(rng, lo, max(lo, hi))
    assert join is not None
    return Member(
        name=name or ctx.names.make(sex, birth.year),
        gender=sex,
        birth=birth,
        education=pick_education(rng, category, birth.year),
        join=join,
        full=add_years(join, 1),
        category=category,
        ethnicity=pick_ethnicity(rng),
    )


def build_core(ctx: Ctx, n: int) -> None:
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


def build_transfers(ctx: Ctx, leaving: list[Member] | None = None) -> None:
    """At most one member transferred out late in the year and one transferred in early on.

    The one transferred out is one of `leaving` (members carried from last year) when given,
    else a member made up for the first demo year. Dates are chosen so that the months not paid
    here (before a transfer in, after a transfer out) are fewer than six: they can never look
    like six months without dues. A member transferred in pays here from the month of the
    transfer.
    """
    rng, y = ctx.rng, ctx.year
    always = ctx.profile in ("small", "big")
    if ctx.lazy:
        return
    category = {"retired": "离退休", "student": "学生"}.get(ctx.profile, "在职")
    if always or rng.random() < 0.55:
        day = between(rng, *ctx.clip(max(date(y, 2, 1), ctx.end - timedelta(days=120)), ctx.end - timedelta(days=10)))
        if day is not None and (leaving is None or leaving):
            m = _core_member(ctx, category) if leaving is None else ctx.rng.choice(leaving)
            m.standing, m.change, m.core = "转出", day, False
            m.note = {
                "retired": f"随子女迁居外地，{day.month}月{day.day}日组织关系转出",
                "student": f"应征入伍，{day.month}月{day.day}日组织关系转出",
            }.get(ctx.profile, f"调至市公路发展集团工作，{day.month}月{day.day}日组织关系转出")
            if leaving is None:
                ctx.transfers.append(m)
    if always or rng.random() < 0.55:
        day = between(rng, *ctx.clip(date(y, 2, 1), min(date(y, 4, 30), ctx.end - timedelta(days=10))))
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


def assign_posts(ctx: Ctx) -> None:
    end = ctx.end
    # Asked of party.members, as the validator and the statistics ask it.
    full = [m for m in ctx.roster_at(end) if full_on(m.member_type, m.full, end)]
    committee: list[str] = []
    if committee_required(len(full), config.defaults(ctx.year)):
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


def committee_members(ctx: Ctx) -> list[Member]:
    return [m for m in ctx.members if m.post != "党员"]


def has_committee(ctx: Ctx) -> bool:
    """Whether the branch has a committee (`assign_posts` gave it one from `party.members`)."""
    return len(committee_members(ctx)) >= 3


# --------------------------------------------------------------------------------------------
# 党员名册
# --------------------------------------------------------------------------------------------


def roster_rows(ctx: Ctx) -> list[dict[str, Any]]:
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
