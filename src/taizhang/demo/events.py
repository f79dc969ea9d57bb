"""A year of a demo branch's 三会一课 and 组织生活, and the 年度小结 it writes about them."""


from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any, Iterable

from taizhang.demo.organisation import CITY
from taizhang.demo.people import Ctx, Member, committee_members, expected_at_meeting, has_committee
from taizhang.party.members import full_on

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


def _attendance(ctx: Ctx, expected: int, *, low: float = 0.75) -> int:
    """A realistic number present: a few absent, never at or below half."""
    if expected <= 0:
        return 0
    absent = ctx.rng.choice((0, 0, 1, 1, 2, 3))
    floor_ok = min(expected, max(expected // 2 + 1, math.ceil(expected * low)))
    return max(expected - absent, floor_ok)


def _absentees(ctx: Ctx, people: list[Member], n: int, exclude: Iterable[str]) -> str | None:
    if n <= 0:
        return None
    skip = set(exclude)
    pool = [m for m in people if m.name not in skip]
    reasons = {"retired": _REASONS_RETIRED, "student": _REASONS_STUDENT}.get(ctx.profile, _REASONS)
    chosen = ctx.rng.sample(pool, min(n, len(pool)))
    return "、".join(f"{m.name}（{ctx.rng.choice(reasons)}）" for m in chosen)


def _recorder(ctx: Ctx) -> str:
    m = ctx.by_post("组织委员") or next((x for x in ctx.members if x.name == ctx.contact), None)
    return m.name if m else ctx.secretary


def _meeting(ctx: Ctx, day: date, kind: str, topics: list[str], host: str, recorder: str,
             people: list[Member], resolution: str, present: int | None = None,
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


def meeting_rows(ctx: Ctx) -> list[dict[str, Any]]:
    rng, y = ctx.rng, ctx.year
    rows: list[dict[str, Any]] = []
    sec, rec = ctx.secretary, _recorder(ctx)
    # Admission and confirmation votes: each a 支部党员大会 of its own.
    for day, names in ctx.admissions:
        people = ctx.expected_at(day)
        full = [m for m in people if full_on(m.member_type, m.full, day)]
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
        people = ctx.expected_at(day)
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
            ctx, day, "支部党员大会", topics, sec, rec, ctx.expected_at(day),
            "全体党员集中学习，并结合本职工作交流了学习体会；会议通报了有关工作，对下一阶段工作作出安排。",
        ))
    # Monthly committee meetings where there is a committee.
    if has_committee(ctx):
        months = sorted(rng.sample(range(1, 13), 5)) if ctx.lazy else list(range(1, 13))
        for month in months:
            members = [m for m in committee_members(ctx)]
            day = ctx.workday(date(y, month, 2), date(y, month, 12), ctx.busy)
            if day is None:
                continue
            members = [m for m in members if expected_at_meeting(m, day)]
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
            people = [m for m in ctx.expected_at(day) if m.group == g]
            others = [m for m in people if m is not leader and m.full is not None]
            recorder = others[month % len(others)].name if others else leader.name
            topic = [_study_phrase(y, month), rng.choice(["交流学习体会", "讨论本组党员思想和工作情况", "收集对支部工作的意见建议"])]
            rows.append(_meeting(
                ctx, day, "党小组会", topic, leader.name, recorder, people,
                "组内党员逐一发言，交流学习体会，结合岗位工作谈了打算。",
            ))
    # Quarterly 党课; the secretary gives the one around 七一.
    lectures = [2, 4] if ctx.lazy else [1, 2, 3, 4]
    speakers = [m.name for m in committee_members(ctx) if m.name != sec] or [sec]
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
            ctx, day, "党课", [title], host, recorder, ctx.expected_at(day),
            "授课人结合工作实际讲授党课，党员认真听讲并作学习笔记。",
            note="书记讲党课" if host == sec else None,
        ))
    rows.sort(key=lambda r: (r["date"], r["meeting_type"]))
    return [{"seq": i, **r} for i, r in enumerate(rows, start=1)]


# --------------------------------------------------------------------------------------------
# 组织生活
# --------------------------------------------------------------------------------------------


def _theme_days(ctx: Ctx) -> dict[int, tuple[str, str]]:
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


def _activity(ctx: Ctx, day: date, kind: str, title: str, place: str, participants: int,
              attendees: str | None, content: str, note: str | None = None) -> dict[str, Any]:
    return {
        "date": day, "activity_type": kind, "title": title, "place": place,
        "participants": max(participants, 1), "attendees": attendees, "content": content, "note": note,
    }


def activity_rows(ctx: Ctx) -> list[dict[str, Any]]:
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
        c = len(committee_members(ctx))
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
# 年度小结
# --------------------------------------------------------------------------------------------


def _count(rows: list[dict[str, Any]], key: str, value: str) -> int:
    return sum(1 for r in rows if r.get(key) == value)


def summary_form(ctx: Ctx, meetings: list[dict[str, Any]], activities: list[dict[str, Any]],
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
