"""Member lists in the layouts the common systems export, built with xlsxwriter as they export them.

- `national`: the national 党员管理信息系统's member export, a title and an 导出时间 line above the
  header, branches by full name, dates as text (a month only among them), 人员类别 = 正式党员/预备党员,
  工作岗位 = 离退休人员 for the retired, 党籍状态 = 正常;
- `national_two_level`: the same with a two-level header (基本信息, 入党情况 merged over their
  columns, the other columns merged down both rows);
- `owip`: xvchaoqun/owip's 党员信息录入样表 (最高学历 硕士研究生, 人员类别 = 普通编制, 人员状态,
  是否退休, 党籍状态（正式党员或预备党员）, its own branch codes);
- `easypoi`: a smaller system's easypoi export (所属党支部 first, 学历 硕士/本科/专科/高中及以下,
  党籍状态 = 正式党员/预备党员).

Each has the same people (`PEOPLE`), so tests can check what each member's roster row becomes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter

ORG = "测试局机关"  # conftest's workspace: 中共测试局机关委员会
FULL = {"001": f"中共{ORG}第一支部委员会", "002": "中共测试局办公室支部委员会", "003": "中共测试局离退休干部支部委员会"}


def id_number(birth: str, male: bool, area: str = "110101", seq: str = "12") -> str:
    """A valid 18-digit 公民身份号码 for a birth date "YYYYMMDD"."""
    body = area + birth + seq + ("1" if male else "2")
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


# name, sex, birth (as the list writes it), id birth, education (national), 正式/预备, branch code,
# 入党 (as written), 转正 (as written), retired
PEOPLE = [
    ("张伟", "男", "1985-03-12", "19850312", "大学本科", "正式党员", "001", "2008.06.30", "2009-06-30", False),
    ("李娜", "女", "1988.01", "19880105", "硕士研究生", "正式党员", "001", "2012年7月1日", "2013年7月1日", False),
    ("王芳", "女", "1990/5/6", "19900506", "研究生", "预备党员", "002", "2024年11月", "", False),
    ("赵强", "男", "1952-02-03", "19520203", "大学专科", "正式党员", "003", "1975-07-01", "1976-07-01", True),
    ("孙丽", "女", "1970-09-09", "19700909", "中专", "正式党员", "", "1995-07-01", "1996-07-01", False),
    ("周杰", "男", "1992-12-01", "19921201", "大学本科", "正式党员", "X", "2015-07-01", "2016-07-01", False),
]
UNKNOWN_BRANCH = "中共测试局后勤服务中心支部委员会"


def _branch(code: str) -> str:
    return UNKNOWN_BRANCH if code == "X" else FULL.get(code, "")


def _serial(text: str) -> float:
    """An Excel serial for a yyyy-mm-dd text (the system writes some dates as numbers)."""
    return (datetime.strptime(text, "%Y-%m-%d") - datetime(1899, 12, 30)).days


NATIONAL_HEADER = ["序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "所在党支部",
                   "入党日期", "转正日期", "工作岗位", "联系电话", "党籍状态", "是否失联党员", "是否流动党员"]


def _national_row(i: int, p: tuple) -> list:
    name, sex, birth, idb, edu, kind, code, joined, full, retired = p
    return [i, name, sex, id_number(idb, sex == "男"), "汉族", birth, edu, kind, _branch(code), joined, full,
            "离退休人员" if retired else "公有经济控制单位管理岗位（含参照管理）", "13800000000", "正常", "否", "否"]


def national(path: Path) -> Path:
    """The national system's export: title, 导出时间, one header row, text dates (张伟's 出生日期 as
    an Excel serial number)."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("党员信息")
    ws.merge_range(0, 0, 0, len(NATIONAL_HEADER) - 1, "中共测试局机关委员会党员信息", wb.add_format({"bold": True}))
    ws.write(1, 0, "导出时间：2025-01-10 09:30:12")
    ws.write_row(2, 0, NATIONAL_HEADER)
    for i, p in enumerate(PEOPLE, start=1):
        row = _national_row(i, p)
        ws.write_row(2 + i, 0, row)
    ws.write_number(3, 5, _serial("1985-03-12"))  # 张伟's 出生日期, a number as some exports write it
    wb.close()
    return path


def national_two_level(path: Path) -> Path:
    """The same with a two-level header: 基本信息 over 姓名…学历, 入党情况 over 入党日期 and 转正日期,
    the others merged down both header rows."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Sheet1")
    ws.merge_range(0, 0, 0, len(NATIONAL_HEADER) - 1, "党员基本信息", wb.add_format({"bold": True}))
    ws.merge_range(1, 0, 1, 3, "导出时间：2025年1月10日")
    groups = {"基本信息": (1, 6), "入党情况": (9, 10)}
    for title, (c0, c1) in groups.items():
        ws.merge_range(2, c0, 2, c1, title)
        for c in range(c0, c1 + 1):
            ws.write(3, c, NATIONAL_HEADER[c])
    grouped = {c for c0, c1 in groups.values() for c in range(c0, c1 + 1)}
    for c, head in enumerate(NATIONAL_HEADER):
        if c not in grouped:
            ws.merge_range(2, c, 3, c, head)
    for i, p in enumerate(PEOPLE, start=1):
        ws.write_row(3 + i, 0, _national_row(i, p))
    wb.close()
    return path


OWIP_HEADER = ["工作证号", "姓名", "性别", "出生日期", "籍贯", "民族", "身份证号码", "手机号码", "最高学历", "编制类别",
               "人员类别", "人员状态", "是否退休", "党籍状态（正式党员或预备党员）", "所在分党委编码", "所在分党委",
               "所在党支部编码", "所在党支部", "入党时间", "转正时间", "党内职务"]
OWIP_EDUCATION = {"大学本科": "本科", "硕士研究生": "硕士研究生", "研究生": "硕士研究生", "大学专科": "专科",
                  "中专": "中专"}
SHORT = {"001": "机关第一党支部", "002": "办公室党支部", "003": "离退休干部党支部", "X": "后勤党支部", "": ""}


def owip(path: Path) -> Path:
    """xvchaoqun/owip's 党员信息录入样表: one header row, its own codes, short branch names, dates
    as date cells."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("党员信息录入样表")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, OWIP_HEADER)
    for i, (name, sex, birth, idb, edu, kind, code, joined, full, retired) in enumerate(PEOPLE, start=1):
        born = datetime.strptime(idb, "%Y%m%d")
        row = [f"G{i:04d}", name, sex, None, "北京", "汉族", id_number(idb, sex == "男"), "13900000000",
               OWIP_EDUCATION[edu], "事业编制", "普通编制", "离退休" if retired else "在职", "是" if retired else "否",
               kind, "301", "机关党委", f"3010{i}", SHORT[code], None, None, "支部书记" if i == 1 else ""]
        ws.write_row(i, 0, row)
        ws.write_datetime(i, 3, born, date_fmt)
        ws.write_datetime(i, 18, datetime(int(idb[:4]) + 23, 7, 1), date_fmt)
        if kind == "正式党员":
            ws.write_datetime(i, 19, datetime(int(idb[:4]) + 24, 7, 1), date_fmt)
    wb.close()
    return path


EASYPOI_HEADER = ["所属党支部", "姓名", "性别", "出生日期", "民族", "学历", "身份证号码", "联系电话", "入党时间", "党籍状态"]
EASYPOI_EDUCATION = {"大学本科": "本科", "硕士研究生": "硕士", "研究生": "硕士", "大学专科": "专科", "中专": "高中及以下"}


def easypoi(path: Path) -> Path:
    """An easypoi export: a title row merged over the columns, the header, text dates, 出生日期
    left empty for one member (the 身份证号 gives it)."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("党员列表")
    ws.merge_range(0, 0, 0, len(EASYPOI_HEADER) - 1, "党员信息列表")
    ws.write_row(1, 0, EASYPOI_HEADER)
    for i, (name, sex, birth, idb, edu, kind, code, joined, full, retired) in enumerate(PEOPLE, start=1):
        born = "" if name == "赵强" else f"{idb[:4]}-{idb[4:6]}-{idb[6:]}"
        ws.write_row(1 + i, 0, [_branch(code), name, sex, born, "汉族", EASYPOI_EDUCATION[edu],
                                id_number(idb, sex == "男"), "13700000000", joined, kind])
    wb.close()
    return path


LAYOUTS = {"national": national, "national_two_level": national_two_level, "owip": owip, "easypoi": easypoi}
