"""What template 2026.1 added to a demo branch's year: the 专题类别 of its meetings and activities
(第一议题 at 支委会, 专题学习研讨, 我为群众办实事 projects with their progress, 结对共建, 青年宣讲 …),
its honours, a 季度小结 per quarter, and the 年度小结's 支委会 and secretary's own account.

Every choice comes from a generator of its own, seeded by the branch's code, year and secretary,
so that the rest of the demo (drawn from the shared generator) is exactly what it was before these
additions: the same people, events, planted mistakes and figures. Counts are never changed here:
meetings and activities keep their number and dates; a few 主题党日 get a project's title.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from taizhang.demo.organisation import CITY, BranchFill
from taizhang.demo.people import Ctx, committee_members, has_committee

# --------------------------------------------------------------------------------------------
# 第一议题
# --------------------------------------------------------------------------------------------

_FIRST_TOPICS_ALWAYS = [
    "学习习近平总书记关于加快建设交通强国的重要论述",
    "学习习近平总书记关于安全生产的重要指示精神",
    "学习习近平总书记关于意识形态工作的重要论述",
    "学习习近平总书记关于党的建设的重要思想",
    "学习习近平总书记关于树立和践行正确政绩观的重要论述",
]
_FIRST_TOPICS_BY_MONTH = {
    2023: {1: "学习习近平总书记在二十届中央纪委二次全会上的重要讲话精神",
           3: "学习习近平总书记在全国两会期间的重要讲话精神",
           4: "学习习近平总书记在学习贯彻习近平新时代中国特色社会主义思想主题教育工作会议上的重要讲话",
           10: "学习习近平总书记关于调查研究的重要论述"},
    2024: {1: "学习习近平总书记在二十届中央纪委三次全会上的重要讲话精神",
           3: "学习习近平总书记在全国两会期间的重要讲话精神",
           4: "学习习近平总书记关于党纪学习教育的重要论述",
           8: "学习习近平总书记在党的二十届三中全会上的重要讲话精神"},
    2025: {1: "学习习近平总书记在二十届中央纪委四次全会上的重要讲话精神",
           3: "学习习近平总书记在全国两会期间的重要讲话精神",
           4: "学习习近平总书记关于加强党的作风建设的重要论述",
           11: "学习习近平总书记在党的二十届四中全会上的重要讲话精神"},
}


def first_topic(rng: random.Random, year: int, month: int) -> str:
    """A 第一议题 a branch or the committee would study in that month."""
    by_month = _FIRST_TOPICS_BY_MONTH.get(year, _FIRST_TOPICS_BY_MONTH[2025])
    recent = [t for m, t in by_month.items() if m <= month and month - m <= 2]
    if recent and rng.random() < 0.7:
        return recent[-1]
    return rng.choice(_FIRST_TOPICS_ALWAYS)


# --------------------------------------------------------------------------------------------
# 我为群众办实事 and other projects, by branch profile
# --------------------------------------------------------------------------------------------

_SERVICE = {
    "regular": [
        ("为幸福里社区老旧小区周边增设公交候车亭", "幸福里社区"),
        ("“交通政务服务一网通办”帮办代办", "市民服务中心交通窗口"),
        ("解决城南客运站周边停车难问题", "城南客运站"),
        ("农村公路“最后一公里”出行难题调研和整改", "青禾县各乡镇"),
        ("网约车驾驶员证件办理“一次办好”", "局机关办事大厅"),
        ("为外卖骑手设立“爱心驿站”", "城东交通综合服务站"),
    ],
    "big": [
        ("国省干线公路坑槽集中修补", "G205线青禾段"),
        ("农村公路危桥改造", "青禾县三里河桥"),
        ("学校周边道路安全设施完善", "城区中小学周边道路"),
    ],
    "retired": [
        ("为高龄老党员送学上门、代办就医出行", "老党员家中"),
        ("社区适老化出行志愿帮扶", "幸福里社区"),
    ],
    "student": [
        ("为社区居民免费检测车辆安全", "幸福里社区"),
        ("“青春护航”校园周边交通安全劝导", "学院周边路口"),
    ],
}
_PAIRING = ["与幸福里社区党委结对共建", "与青禾县三河村党支部结对共建", "与城南客运站党支部联学共建"]
_YOUTH = ["青年党员宣讲党的创新理论", "“强国有我”青年宣讲"]
_URGENT = ["汛期公路应急抢险保通", "雨雪冰冻天气道路应急保通"]


def _study_kind(row: dict[str, Any]) -> str:
    title = str(row.get("title") or "")
    if "廉" in title or "纪律" in title or "八项规定" in title:
        return "廉政教育"
    return "专题学习研讨"


def mark_meetings(rng: random.Random, ctx: Ctx, meetings: list[dict[str, Any]]) -> None:
    """第一议题 at most 支委会 and the quarterly 支部党员大会 (the topic's first item becomes it)."""
    share = 0.35 if ctx.lazy else rng.uniform(0.55, 0.9)
    for row in meetings:
        day = row.get("date")
        if not isinstance(day, date):
            continue
        kind = row.get("meeting_type")
        topics = str(row.get("topic") or "").split("；")
        if kind == "支委会" and rng.random() < share and (len(topics) > 1 or not topics[0].startswith("研究制定")):
            # the 第一议题 comes first; the number of topics (议题数, a figure) stays as it was
            topics = [first_topic(rng, ctx.year, day.month)] + (topics[:-1] if len(topics) > 1 else [])
            row["topic"] = "；".join(topics)
            row["theme_kind"] = "第一议题"
        elif kind == "支部党员大会" and topics and topics[0].startswith(("学习贯彻", "开展")) and rng.random() < share:
            row["theme_kind"] = "第一议题"
        elif kind == "党课" and ("纪律" in topics[0] or "八项规定" in topics[0] or "拒腐防变" in topics[0]):
            row["theme_kind"] = "廉政教育"


def mark_activities(rng: random.Random, ctx: Ctx, activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """专题类别 on the activities; a few 主题党日 become projects (我为群众办实事 with progress,
    结对共建, 青年宣讲, 急难险重任务). Returns the project rows."""
    projects: list[dict[str, Any]] = []
    for row in activities:
        kind = row.get("activity_type")
        if kind == "集中学习研讨":
            row["theme_kind"] = _study_kind(row)
        elif kind == "警示教育":
            row["theme_kind"] = "警示教育"
        elif kind == "参观见学":
            row["theme_kind"] = "廉政教育" if "廉政" in str(row.get("title")) else "参观见学"
        elif kind == "志愿服务":
            row["theme_kind"] = "志愿服务"
    party_days = [r for r in activities if r.get("activity_type") == "主题党日" and isinstance(r.get("date"), date)
                  and r["date"].month in (5, 8, 9, 10, 11)]
    rng.shuffle(party_days)
    services = list(_SERVICE.get(ctx.profile, _SERVICE["regular"]))
    rng.shuffle(services)
    n_service = 1 if ctx.lazy else rng.choice((1, 1, 2))
    for row in party_days[:n_service]:
        title, place = services.pop()
        progress = rng.choice((100, 100, 100, 90, 80, 60)) if not ctx.lazy else rng.choice((40, 50))
        row.update(title=f"“我为群众办实事”：{title}", place=place, theme_kind="我为群众办实事", progress=progress,
                   content="党员认领项目、分工推进，" + ("已全部完成，群众反映良好。" if progress == 100
                                                     else f"年底完成{progress}%，剩余工作明年一季度完成。"))
        projects.append(row)
    rest = party_days[n_service:]
    extra: list[tuple[str, str]] = []
    if ctx.profile == "student":
        extra.append(("青年宣讲", rng.choice(_YOUTH)))
    elif ctx.profile == "big":
        extra.append(("急难险重任务", rng.choice(_URGENT)))
    if ctx.profile in ("regular", "small") and not ctx.lazy and rng.random() < 0.5:
        extra.append(("结对共建", rng.choice(_PAIRING)))
    for (kind, title), row in zip(extra, rest):
        row.update(title=title, theme_kind=kind)
        if kind == "急难险重任务":
            row.update(place="G205线青禾段", content="组建党员突击队，连续作战抢通道路，保障群众安全出行。")
        elif kind == "青年宣讲":
            row.update(content="学生党员组成宣讲小分队，走进班级和社区宣讲党的创新理论。")
        else:
            row.update(content="双方党员共同学习、互帮互助，签订共建协议，确定年度共建项目3项。")
        projects.append(row)
    return projects


# --------------------------------------------------------------------------------------------
# 荣誉和成果
# --------------------------------------------------------------------------------------------

def honour_rows(rng: random.Random, ctx: Ctx) -> list[dict[str, Any]]:
    """Some branches' honours of the year: the branch's own and a member's or two."""
    y = ctx.year
    if ctx.lazy or rng.random() < 0.4:
        return []
    rows: list[dict[str, Any]] = []
    own = [("“五好党支部”", "本单位", "局机关党委"), ("先进基层党组织", "市厅级", "中共青禾市直属机关工作委员会"),
           ("“党建品牌”示范点", "本单位", "局机关党委")]
    if ctx.profile == "big":
        own.append(("“工人先锋号”", "省部级", "省总工会"))
    if ctx.profile == "student":
        own = [("“样板党支部”培育创建单位", "省部级", "省委教育工委")]
    name, level, by = rng.choice(own)
    rows.append({"date": date(y, 6, rng.randint(24, 29)), "name": f"{y}年度{name}" if "五好" in name else name,
                 "level": level, "awarded_by": by, "recipient": "本支部"})
    people = [m for m in ctx.roster_at(date(y, 6, 20)) if m.full is not None and m.name != ctx.secretary]
    if people and rng.random() < 0.8:
        who = rng.sample(people, min(len(people), rng.choice((1, 1, 2))))
        rows.append({"date": date(y, 6, 28), "name": "优秀共产党员", "level": "本单位", "awarded_by": "局机关党委",
                     "recipient": "、".join(m.name for m in who)})
    if ctx.profile in ("regular", "big") and rng.random() < 0.3:
        rows.append({"date": date(y, 12, rng.randint(5, 20)), "name": f"{CITY}交通运输系统“最美交通人”",
                     "level": "市厅级", "awarded_by": f"{CITY}交通运输局", "recipient": rng.choice(people).name if people else "本支部"})
    return [{"seq": i, **r} for i, r in enumerate(rows, start=1)]


# --------------------------------------------------------------------------------------------
# 季度小结
# --------------------------------------------------------------------------------------------

_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


def _done(row: dict[str, Any]) -> str:
    """An activity as a 季度小结 says it was done: "5月推进“我为群众办实事”项目：……"."""
    title, month = str(row.get("title") or ""), row["date"].month
    if row.get("theme_kind") == "我为群众办实事":
        return f"{month}月推进“我为群众办实事”项目：{title.split('：', 1)[-1]}"
    if row.get("activity_type") == "主题党日" and not row.get("theme_kind"):
        return f"{month}月开展{title}主题党日" if "“" in title else f"{month}月开展“{title}”主题党日"
    return f"{month}月开展{title}" + ("活动" if row.get("theme_kind") in ("结对共建", "志愿服务") else "")


def quarterly_rows(rng: random.Random, ctx: Ctx, meetings: list[dict[str, Any]],
                   activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A 季度小结 row per quarter that has passed, from the quarter's own records."""
    rows = []
    problems_pool = [
        "个别党员参加集中学习不够积极，学习笔记较为简单。",
        "支委会研究业务工作多、研究党建工作少，议题安排不够均衡。",
        "主题党日活动形式较为单一，党员参与的积极性有待提高。",
        "党费收缴个别月份不够及时。",
        "台账记录不够及时，个别会议记录要素不全。",
        "青年党员的教育培养需要进一步加强。",
        "“我为群众办实事”项目推进进度不一，个别项目滞后。",
    ]
    if ctx.profile == "retired":
        problems_pool += ["部分老党员行动不便，集中学习到会率不高。"]
    if ctx.profile == "student":
        problems_pool += ["学生党员实习期间分散，组织生活难以集中开展。"]
    for q, label in enumerate(_QUARTERS, start=1):
        months = range(3 * q - 2, 3 * q + 1)
        if date(ctx.year, 3 * q, 28) > ctx.end:
            break
        if ctx.lazy and q == 3:
            continue  # the branch that is behind skipped one

        def inq(r: dict[str, Any], months: range = months) -> bool:
            return isinstance(r.get("date"), date) and r["date"].month in months

        mq = [r for r in meetings if inq(r)]
        aq = [r for r in activities if inq(r)]
        counts = []
        for kind in ("支部党员大会", "支委会", "党小组会", "党课"):
            n = sum(1 for r in mq if r.get("meeting_type") == kind)
            if n:
                counts.append(f"{kind}{n}次")
        work = ["召开" + "、".join(counts) if counts else "按计划开展支部工作"]
        first = sum(1 for r in mq if r.get("theme_kind") == "第一议题")
        if first:
            work.append(f"落实“第一议题”制度{first}次")
        named = sorted((r for r in aq if r.get("theme_kind") or r.get("activity_type") == "主题党日"),
                       key=lambda r: (not r.get("theme_kind"), r["date"]))
        for r in sorted(named[:2], key=lambda r: r["date"]):
            work.append(_done(r))
        problems = rng.sample(problems_pool, 1 if rng.random() < 0.6 else 2)
        plans = {
            1: "组织开展“七一”系列活动，推进年度重点任务落实。",
            2: "抓好上半年工作回头看，推进“我为群众办实事”项目。",
            3: "筹备年度组织生活会和民主评议党员，做好党费收缴核对。",
            4: "总结全年工作，谋划下一年度支部工作计划。",
        }[q]
        rows.append({"quarter": label, "work": "；".join(work) + "。", "problems": "".join(problems),
                     "plans": plans + rng.choice(["加强党员日常教育管理。", "督促党员按时足额交纳党费。",
                                                  "抓好理论学习，推动学习成果转化。"])})
    return rows


# --------------------------------------------------------------------------------------------
# 年度小结: 支委会 and the secretary's own account
# --------------------------------------------------------------------------------------------

def _election_year(code: str, year: int) -> int:
    """The year of the branch's latest 换届 up to `year` (terms of three years, staggered by code)."""
    digits = "".join(ch for ch in code if ch.isdigit()) or "0"
    first = 2023 + int(digits) % 3
    return first - 3 * ((first - year + 2) // 3)


def summary_extras(rng: random.Random, ctx: Ctx, meetings: list[dict[str, Any]],
                   activities: list[dict[str, Any]]) -> dict[str, Any]:
    """The 年度小结 fields template 2026.1 added, from the branch's year."""
    y, sec = ctx.year, ctx.secretary
    members = committee_members(ctx) if has_committee(ctx) else []
    filled = len(members)
    vacancy = filled >= 3 and rng.random() < 0.15
    posts = filled + 1 if vacancy else filled
    if not members:
        election = "本支部正式党员不足7人，不设支部委员会，设书记1名。"
    elif _election_year(ctx.code, y) == y:
        month = rng.choice((4, 5, 6, 9))
        election = (f"{month}月召开支部党员大会进行换届选举，选举产生新一届支部委员会委员{filled}名，"
                    f"{sec}同志当选书记，选举结果已报机关党委批复。")
    elif vacancy:
        election = f"原组织委员因工作调动转出，支委会缺额1名，拟于{y + 1}年一季度召开党员大会补选。"
    else:
        election = (f"本届支委会于{_election_year(ctx.code, y)}年换届产生，本年度无换届和补选，"
                    f"支委会{filled}名委员分工明确、运转正常。")
    chaired = sum(1 for r in meetings if r.get("meeting_type") == "支委会" and r.get("host") == sec)
    lessons = sum(1 for r in meetings if r.get("meeting_type") == "党课" and r.get("host") == sec)
    talks_rows = [r for r in activities if r.get("activity_type") == "谈心谈话"]
    talks = max(len(ctx.roster_at(ctx.end)) - 1, 1) + rng.randint(2, 8) if talks_rows else rng.randint(3, 8)
    lesson_titles = [str(r["topic"]) for r in meetings if r.get("meeting_type") == "党课" and r.get("host") == sec]
    opening = rng.choice([
        "作为支部书记，我坚持把抓好党建作为最大的政绩，认真履行第一责任人职责。",
        "一年来，我牢固树立“抓好党建是本职、不抓党建是失职”的理念，切实履行管党治党第一责任人职责。",
        "我始终把党建工作和业务工作同谋划、同部署、同落实，认真落实“一岗双责”。",
    ])
    parts = [opening]
    if chaired:
        parts.append(f"全年主持召开支委会{chaired}次，凡涉及发展党员、评先评优等重要事项，都先经支委会集体研究。")
    if lessons:
        parts.append(f"我带头讲党课{lessons}次" + (f"，题目是“{lesson_titles[0].split('：')[-1]}”" if lesson_titles else "") + "。")
    parts.append(f"坚持与支委委员、党员谈心谈话，全年谈心谈话{talks}人次，"
                 + rng.choice(["帮助解决实际困难", "了解思想动态", "听取意见建议"]) + "。")
    self_view = {
        "retired": "我年事已高，对新知识学得不够快，今后要在带头学习上再下功夫。",
        "student": "我对学生党员实习期间的管理办法还不多，今后要与实习单位加强联系。",
        "big": "我在统筹四个党小组的工作上还有差距，对基层一线党员的思想状况掌握不够全面。",
    }.get(ctx.profile, rng.choice([
        "对照要求，我在抓党建与业务融合上思路还不够宽，有时业务工作一忙，对党建工作抓得不够紧。",
        "我在理论学习上还存在以干代学的现象，对支部委员的传帮带还不够。",
        "我在落实“一岗双责”上有时还存在重业务、轻党建的倾向，对党员的日常提醒不够。",
    ]))
    if ctx.lazy:
        self_view = "我对“三会一课”督促不够，支委会和党课没有按规定次数召开，这是我作为书记的失职，明年一定严格落实。"
    parts.append(self_view)
    return {
        "committee_election": election,
        "committee_posts": posts,
        "committee_filled": filled,
        "secretary_account": "".join(parts),
        "secretary_lessons": lessons,
        "secretary_talks": talks,
    }


def add_themes(ctx: Ctx, fill: BranchFill) -> None:
    """Add what template 2026.1 records to a branch's fill (see the module docstring)."""
    rng = random.Random(f"专题|{ctx.code}|{ctx.year}|{ctx.secretary}")
    meetings, activities = fill.ledgers["meetings"], fill.ledgers["activities"]
    mark_meetings(rng, ctx, meetings)
    mark_activities(rng, ctx, activities)
    fill.ledgers["honours"] = honour_rows(rng, ctx)
    fill.ledgers["quarterly"] = quarterly_rows(rng, ctx, meetings, activities)
    fill.summary.update(summary_extras(rng, ctx, meetings, activities))
