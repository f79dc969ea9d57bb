"""The demo committee's own ledger (党委工作台账.xlsx) over the demo's years, as its office fills it:
about 18 党委会议 a year, most with a 第一议题; 11 理论学习中心组 sessions; 书记讲党课 by the
committee's secretary, deputy, members and branch secretaries; 2–4 意识形态研判; the documents it
issued; its key tasks with their progress; its honours. Drawn from a generator of its own."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from taizhang.committee import CENTRE_GROUP, COMMITTEE_MEETING, IDEOLOGY, SECRETARY_LECTURE
from taizhang.demo.organisation import CITY, BranchRow
from taizhang.demo.people import pick_workday
from taizhang.demo.themes import first_topic

SECRETARY, DEPUTY, MEMBERS = "周振华", "何明远", ("孙丽娟", "郑海涛")
DOC_PREFIX = "青交机党"

_THEMES = {
    2023: ("学习贯彻习近平新时代中国特色社会主义思想主题教育", "党的二十大精神"),
    2024: ("党纪学习教育", "党的二十届三中全会精神"),
    2025: ("深入贯彻中央八项规定精神学习教育", "党的二十届四中全会精神"),
}
_AGENDA = [
    "研究发展党员工作", "研究年度评先评优推荐人选", "听取各支部“三会一课”落实情况汇报", "研究党费使用计划",
    "研究意识形态工作责任制落实情况", "研究党风廉政建设和反腐败工作", "研究基层党组织换届工作", "研究党员教育培训计划",
    "研究“我为群众办实事”项目清单", "研究干部职工思想动态分析", "研究支部标准化规范化建设", "研究“七一”表彰事项",
    "通报台账检查情况，研究整改措施", "研究年度党建工作述职评议安排",
]
_CENTRE = [
    "学习《习近平谈治国理政》有关篇目", "学习习近平总书记关于交通运输工作的重要论述", "学习《中国共产党章程》",
    "学习习近平总书记关于全面从严治党的重要论述", "学习《中国共产党纪律处分条例》", "学习习近平文化思想",
    "学习习近平生态文明思想", "学习习近平总书记关于意识形态工作的重要论述",
]
_LECTURES = [
    "弘扬伟大建党精神，推动交通运输高质量发展", "以严的基调强化正风肃纪", "坚定理想信念，筑牢信仰之基",
    "发扬斗争精神，增强斗争本领", "践行初心使命，争做人民满意交通人", "学思践悟新思想，奋进交通强国新征程",
]
_DOCS = [
    "关于印发《{y}年机关党建工作要点》的通知", "关于进一步规范党支部“三会一课”的实施办法",
    "关于开展{y}年度党支部书记抓党建工作述职评议的通知", "关于印发《党员积分制管理办法（试行）》的通知",
    "关于开展“我为群众办实事”实践活动的实施方案", "关于加强党费收缴使用管理的通知",
    "关于{y}年度发展党员工作计划的通知", "关于做好{y}年度基层党组织换届工作的通知",
    "关于开展“五好党支部”创建活动的实施意见", "意识形态工作责任制实施细则",
]
_TASKS = [
    ("深入学习贯彻{theme}", "举办专题读书班，开展党员干部轮训，各支部围绕“第一议题”开展集中学习研讨"),
    ("推进党支部标准化规范化建设", "制定支部建设标准清单，开展“五好党支部”创建，组织台账互查互评"),
    ("落实“我为群众办实事”", "梳理民生项目清单，各支部认领项目、挂图作战，按季度通报进度"),
    ("加强党风廉政建设", "开展廉政专题学习日和警示教育，组织参观廉政教育基地，签订党风廉政建设责任书"),
    ("做好发展党员和党员教育管理", "严格发展党员程序，组织入党积极分子培训，落实党员积分制管理"),
    ("推动党建与业务深度融合", "设立党员先锋岗和党员突击队，围绕重点工程、应急保通开展攻坚"),
    ("抓好意识形态工作", "每半年开展意识形态研判，加强机关网站和新媒体阵地管理"),
]


def _day(rng: random.Random, year: int, month: int, lo: int = 3, hi: int = 26) -> date:
    picked = pick_workday(rng, date(year, month, lo), date(year, month, hi))
    return picked or date(year, month, lo)


def committee_rows(seed: int, years: list[int], branches: list[BranchRow]) -> dict[str, list[dict[str, Any]]]:
    """Rows per sheet of the committee ledger (meetings, documents, tasks, honours) for `years`."""
    rng = random.Random(f"{seed}-党委工作台账")
    meetings: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    honours: list[dict[str, Any]] = []
    secretaries = [b for b in branches if b.secretary]
    for y in years:
        study, spirit = _THEMES.get(y, _THEMES[2025])
        # 党委会议: monthly, and six more when work needs them (about 18 a year)
        months = list(range(1, 13)) + rng.sample([2, 3, 4, 6, 7, 9, 11, 12], rng.randint(5, 7))
        for month in sorted(months):
            day = _day(rng, y, month)
            agenda = rng.sample(_AGENDA, rng.randint(2, 3))
            if month == 1 and not any(r["date"].year == y and r["date"].month == 1 for r in meetings):
                agenda = [f"研究{y}年机关党建工作要点"] + agenda[:2]
            meetings.append({"date": day, "kind": COMMITTEE_MEETING, "topic": "；".join(agenda),
                             "first_topic": first_topic(rng, y, month) if rng.random() < 0.85 else "",
                             "speaker": SECRETARY})
        # 理论学习中心组: every month but August (11)
        for month in [m for m in range(1, 13) if m != 8]:
            topic = rng.choice(_CENTRE)
            if month in (4, 5, 6) or (month >= 10 and "全会" in spirit):
                theme = spirit if month >= 10 else study
                topic = f"{theme}专题研讨" if theme.startswith("学习") else f"专题学习{theme}"
            meetings.append({"date": _day(rng, y, month, 10, 28), "kind": CENTRE_GROUP, "topic": topic,
                             "speaker": SECRETARY, "first_topic": ""})
        # 书记讲党课 at every level
        titles = rng.sample(_LECTURES, 4)
        lectures = [(SECRETARY, "党委书记", 6, f"庆祝建党{y - 1921}周年专题党课：{titles[0]}"),
                    (DEPUTY, "党委副书记", 11, titles[1]),
                    (rng.choice(MEMBERS), "党委委员", rng.choice((4, 9)), titles[2])]
        for b in rng.sample(secretaries, min(len(secretaries), rng.randint(5, 7))):
            lectures.append((b.secretary, "支部书记", rng.choice((3, 5, 6, 9, 10)),
                             f"{b.name}专题党课：{rng.choice(_LECTURES)}"))
        for speaker, level, month, title in lectures:
            meetings.append({"date": _day(rng, y, month, 12, 28), "kind": SECRETARY_LECTURE, "topic": title,
                             "speaker": speaker, "note": level, "first_topic": ""})
        # 意识形态研判: half-yearly, sometimes quarterly
        quarterly = rng.random() < 0.5
        for month in ([3, 6, 9, 12][: rng.randint(3, 4)] if quarterly else [6, 12]):
            period = f"第{'一二三四'[month // 3 - 1]}季度" if quarterly else ("上半年" if month <= 6 else "下半年")
            meetings.append({"date": _day(rng, y, month, 15, 28), "kind": IDEOLOGY, "first_topic": "",
                             "topic": f"{y}年{period}意识形态领域形势分析研判", "speaker": SECRETARY})
        # 制度建设
        for n, title in enumerate(rng.sample(_DOCS, rng.randint(5, 7)), start=1):
            documents.append({"date": _day(rng, y, min(12, n * 2)), "doc_no": f"{DOC_PREFIX}〔{y}〕{n}号",
                              "title": title.format(y=y)})
        documents.sort(key=lambda d: d["date"])
        # 重点任务
        last = y == max(years)
        for name, measures in rng.sample(_TASKS, 6):
            progress = rng.choice((80, 85, 90, 100, 100)) if last else 100
            tasks.append({"year": y, "name": name.format(theme=spirit if last else study), "measures": measures,
                          "progress": progress,
                          "note": "" if progress == 100 else "剩余工作结转下一年度继续推进"})
        # 荣誉
        picks = rng.sample(branches, 2)
        honours += [
            {"date": date(y, 6, 28), "name": "市直机关先进基层党组织", "level": "市厅级",
             "awarded_by": f"中共{CITY}直属机关工作委员会", "recipient": picks[0].name},
            {"date": date(y, 6, 28), "name": "市直机关优秀党务工作者", "level": "市厅级",
             "awarded_by": f"中共{CITY}直属机关工作委员会", "recipient": picks[1].secretary},
        ]
        if rng.random() < 0.6:
            honours.append({"date": _day(rng, y, 12, 5, 20), "name": "全省交通运输系统党建工作示范单位",
                            "level": "省部级", "awarded_by": "省交通运输厅党组", "recipient": "机关党委"})
    meetings.sort(key=lambda r: r["date"])
    honours.sort(key=lambda r: r["date"])
    def number(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"seq": i, **r} for i, r in enumerate(rows, start=1)]

    return {"meetings": number(meetings), "documents": number(documents), "tasks": number(tasks),
            "honours": number(honours)}
