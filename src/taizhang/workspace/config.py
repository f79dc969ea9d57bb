"""Workspace settings (taizhang.toml): organisation, round, limits and every rule parameter.

The defaults are the text `DEFAULT_TOML` itself: `init` writes it out with comments, and the
loader reads it first and lays the workspace's file over it, so the written defaults and the
code's defaults can never differ.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from taizhang import catalog
from taizhang.errors import ConfigError
from taizhang.problems import Problem, Severity

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib  # type: ignore[no-redef]

DEFAULT_TOML = '''\
# taizhang 工作区设置。以“#”开头的是说明，修改设置后保存即可生效。

[organisation]
name = "{org}"            # 本单位（党委、党工委、机关党委、党总支）名称
code = "{code}"           # 本单位编码，向上级报送汇总时使用
year = {year}             # 台账年度
deadline = {deadline}     # 报送截止日期，迟于此日期收到的标为“逾期”
contact = ""              # 联系人，写入填表说明和通知
phone = ""                # 联系电话

[collect]
# 没有身份信息（_meta）的工作簿：warn = 接收但标明“来源无法核实”；refuse = 不接收
unverified = "warn"
max_file_mb = 30               # 单个文件大小上限（MB）
max_unpacked_mb = 200          # 工作簿解压后的总大小上限（MB），防止“压缩炸弹”
max_ratio = 200                # 压缩比上限
max_rows_per_sheet = 20000     # 每个工作表读取的行数上限
max_problems_per_file = 500    # 每个文件最多列出的问题条数
max_zip_depth = 2              # 压缩包内再套压缩包的最大层数
max_zip_files = 2000           # 一个压缩包内最多处理的文件数

[rules]
# 规则的严重程度可以调整为“错误”“警告”“提示”，或写“关闭”停用该规则。
# 规则编号见 README 的“校验规则”一节。例如：
#   "MEET-CMTE-M" = "提示"
#   "LIFE-TALK-Y" = "关闭"
[rules.severity]

[dues]
# 《关于中国共产党党费收缴、使用和管理的规定》：交纳比例按月计算基数分档，
# 整个基数适用同一比例（不分段累进），边界值属于较低一档（“含”）。
rounding = "0.01"              # 月应交的取舍单位：0.01 = 到分，0.1 = 到角（四舍五入）
# 在职党员：[上限（含）, 比例]，最后一档为超过最高上限时的比例
working = [[3000, "0.005"], [5000, "0.01"], [10000, "0.015"], ["inf", "0.02"]]
# 离退休党员：以基本离退休费为基数
retired = [[5000, "0.005"], ["inf", "0.01"]]
# 按定额交纳的人员类别：[最低, 最高]（元/月）
fixed = {{ "学生" = ["0.2", "0.2"], "下岗失业" = ["0.2", "0.2"], "农民" = ["0.2", "1"] }}
other_category = "working"     # “其他”人员类别按哪种方式计算：working（在职）或 fixed_any（不核对）
high_monthly = "1000"          # 月应交超过此数时提示核对（中组部2017年通知）
arrears_months = 6             # 连续多少个月未交视为自行脱党（错误）
# 预备党员从支部大会接收之月起交纳党费，此前的月份不算未交
probation_from_admission = true

[recruitment]
# 《中国共产党发展党员工作细则》
min_age = 18                   # 递交入党申请书时的最低年龄（周岁）
talk_within_months = 1         # 收到申请书后多少个月内谈话
activist_to_candidate_months = 12   # 积极分子培养多少个月以上才能确定为发展对象
approve_warn_months = 3        # 上级党委审批期限（超过为警告）
approve_error_months = 6       # 审批最长期限（超过为错误）
probation_months = 12          # 预备期
# 本地规定的间隔，可在任意两个日期之间增加，例如递交申请书到确定积极分子至少6个月：
#   [[recruitment.intervals]]
#   from = "递交申请书日期"
#   to = "确定积极分子日期"
#   min_months = 6
#   severity = "警告"

[frequency]
# 《中国共产党支部工作条例（试行）》及各地规定：每个周期至少召开的次数
general_meeting_per_quarter = 1    # 支部党员大会
committee_per_month = 1            # 支委会
committee_min_full_members = 7    # 正式党员达到此人数的支部才设支委会、才检查支委会次数
group_per_month = 1                # 党小组会（名册中有党小组时）
lecture_per_quarter = 1            # 党课
secretary_lectures_per_year = 1    # 支部书记讲党课
theme_day_per_month = 1            # 主题党日
life_meeting_per_year = 1          # 组织生活会
review_per_year = 1                # 民主评议党员
talk_per_year = 1                  # 谈心谈话
# 次数按截至收集日已过去的月份、季度计算；本月（本季度）未结束的不计入。

[reports]
resubmit_days = 10                 # 台账检查情况通报中“重新报送”的期限：通报日期后多少天
'''


@dataclass(frozen=True)
class Interval:
    """A local minimum interval between two recruitment dates (column keys)."""

    start: str
    end: str
    min_months: int
    severity: Severity


@dataclass(frozen=True)
class Settings:
    """Every setting of a workspace, typed."""

    org_name: str
    org_code: str
    year: int
    deadline: date | None
    contact: str
    phone: str
    collect: dict[str, Any]
    severity: dict[str, Severity | None]  # rule id -> override (None = switched off)
    dues: dict[str, Any]
    recruitment: dict[str, Any]
    intervals: tuple[Interval, ...]
    frequency: dict[str, int]
    reports: dict[str, Any] = field(default_factory=dict)  # [reports]: resubmit_days
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def rule_severity(self, rule_id: str) -> Severity | None:
        """The severity in force for a rule, or None when the workspace switched it off."""
        if rule_id in self.severity:
            return self.severity[rule_id]
        return catalog.get(rule_id).severity

    def limit(self, name: str) -> int:
        """A collect limit as an int."""
        return int(self.collect[name])


def default_text(org: str = "", code: str = "", year: int = 2025, deadline: date | None = None) -> str:
    """The commented default taizhang.toml with the organisation filled in."""
    dl = (deadline or default_deadline(year)).isoformat()
    return DEFAULT_TOML.format(org=_toml_str(org), code=_toml_str(code), year=year, deadline=dl)


def _toml_str(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ConfigError(f"taizhang.toml 中 {where} 的值“{value}”不是数字") from None


def _brackets(raw: Any, where: str) -> tuple[tuple[Decimal, Decimal], ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"taizhang.toml 中 {where} 应是 [[上限, 比例], …] 的列表")
    out = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 2:
            raise ConfigError(f"taizhang.toml 中 {where} 的每一档应是 [上限, 比例]")
        upper = Decimal("Infinity") if str(item[0]).lower() == "inf" else _decimal(item[0], where)
        rate = _decimal(item[1], where)
        if rate.is_nan() or upper.is_nan() or not (upper > 0 and 0 <= rate <= 1):
            raise ConfigError(f"taizhang.toml 中 {where} 的一档 [{item[0]}, {item[1]}] 不对：上限应大于0，"
                              "比例应在0到1之间（如 \"0.005\" 表示0.5%）")
        out.append((upper, rate))
    if [u for u, _ in out] != sorted(u for u, _ in out) or out[-1][0] != Decimal("Infinity"):
        raise ConfigError(f"taizhang.toml 中 {where} 的上限应从小到大排列，最后一档为 \"inf\"")
    return tuple(out)


# --- the schema: every key taizhang.toml may hold, with its type and range ----------------------
@dataclass(frozen=True)
class Key:
    """What one setting may be: `kind` int / text / date / choice / decimal / bool / table (checked
    elsewhere), with an inclusive range for numbers and the words allowed for a choice."""

    kind: str
    low: int | Decimal | None = None
    high: int | Decimal | None = None
    choices: tuple[str, ...] = ()


def _int(low: int, high: int | None = None) -> Key:
    return Key("int", low, high)


_MONTHS = _int(0, 120)
SCHEMA: dict[str, dict[str, Key]] = {
    "organisation": {
        "name": Key("text"), "code": Key("text"), "year": _int(2000, 2100), "deadline": Key("date"),
        "contact": Key("text"), "phone": Key("text"),
    },
    "collect": {
        "unverified": Key("choice", choices=("warn", "refuse")),
        "max_file_mb": _int(1, 10240), "max_unpacked_mb": _int(1, 102400), "max_ratio": _int(1, 100000),
        "max_rows_per_sheet": _int(1, 1048576), "max_problems_per_file": _int(1, 1000000),
        "max_zip_depth": _int(0, 20), "max_zip_files": _int(1, 1000000),
    },
    "rules": {"severity": Key("table")},
    "dues": {
        "rounding": Key("decimal", Decimal("0.0001"), 100), "working": Key("table"), "retired": Key("table"),
        "fixed": Key("table"), "other_category": Key("choice", choices=("working", "fixed_any")),
        "high_monthly": Key("decimal", 0, 10**9), "arrears_months": _int(1, 120),
        "probation_from_admission": Key("bool"),
    },
    "recruitment": {
        "min_age": _int(14, 100), "talk_within_months": _MONTHS, "activist_to_candidate_months": _MONTHS,
        "approve_warn_months": _MONTHS, "approve_error_months": _MONTHS, "probation_months": _int(1, 120),
        "intervals": Key("table"),
    },
    "frequency": {
        "general_meeting_per_quarter": _int(0, 100), "committee_per_month": _int(0, 100),
        "committee_min_full_members": _int(1, 10000), "group_per_month": _int(0, 100),
        "lecture_per_quarter": _int(0, 100), "secretary_lectures_per_year": _int(0, 100),
        "theme_day_per_month": _int(0, 100), "life_meeting_per_year": _int(0, 100), "review_per_year": _int(0, 100),
        "talk_per_year": _int(0, 100),
    },
    "reports": {"resubmit_days": _int(1, 365)},
}
_KINDS = {"int": "整数", "text": "文字（加英文双引号）", "date": "日期", "decimal": "数字", "bool": "true 或 false"}


def _near(word: str, known: Any) -> str:
    """“，是不是 X？” for the known name closest to a misspelt one ("" when none is close)."""
    hits = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=0.6)
    return f"是不是想写 {hits[0]}？" if hits else ""


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"\"{value}\""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "（一组设置）" if isinstance(value, dict) else "（列表）"
    return str(value)


def _expected(key: Key) -> str:
    if key.kind == "choice":
        return "只能是 " + " 或 ".join(f"\"{c}\"" for c in key.choices)
    if key.kind == "date":
        return "应是日期，写成 2026-01-15（不加引号），不设截止日期写 \"\""
    if key.kind in ("int", "decimal") and key.low is not None:
        what = _KINDS[key.kind]
        if key.high is None:
            return f"应是不小于 {key.low} 的{what}"
        return f"应是 {key.low} 到 {key.high} 之间的{what}"
    return "应是" + _KINDS.get(key.kind, key.kind)


def _bad(section: str, name: str, value: Any, key: Key, default: Any) -> ConfigError:
    shown = default is not None and section != "organisation" and not isinstance(default, (dict, list))
    tail = f"（默认为 {_shown(default)}）" if shown else ""
    return ConfigError(f"taizhang.toml 的 [{section}] 中 {name} = {_shown(value)} 不对：{_expected(key)}{tail}。"
                       "请改正后保存，再重新运行命令。")


def _check_value(section: str, name: str, value: Any, key: Key, default: Any) -> None:
    if key.kind == "table":
        return  # checked where it is read (brackets, intervals, rule ids)
    if key.kind == "text":
        ok = isinstance(value, str)
    elif key.kind == "bool":
        ok = isinstance(value, bool)
    elif key.kind == "choice":
        ok = isinstance(value, str) and value in key.choices
    elif key.kind == "date":
        ok = isinstance(value, date) or (isinstance(value, str) and (not value.strip() or _iso(value)))
    elif key.kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and _in(value, key)
    else:  # decimal: a number or a number in quotes
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except (InvalidOperation, ValueError):
            number = None
        ok = number is not None and number.is_finite() and _in(number, key)
    if not ok:
        raise _bad(section, name, value, key, default)


def _in(value: Any, key: Key) -> bool:
    return (key.low is None or value >= key.low) and (key.high is None or value <= key.high)


def _iso(text: str) -> bool:
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def validate_schema(data: dict[str, Any], defaults: dict[str, Any] | None = None) -> None:
    """ConfigError naming the key, the value and what is expected for the first setting of a parsed
    taizhang.toml that is unknown (with the nearest known name), of the wrong type or out of range."""
    defaults = defaults if defaults is not None else tomllib.loads(default_text())
    for section, values in data.items():
        if section not in SCHEMA:
            raise ConfigError(f"taizhang.toml 中有未知的一节 [{section}]。{_near(section, SCHEMA)}"
                              f"可用的有：{'、'.join(f'[{k}]' for k in SCHEMA)}。")
        if not isinstance(values, dict):
            raise ConfigError(f"taizhang.toml 中 {section} 应是一节设置（[{section}]），现在是 {_shown(values)}。")
        for name, value in values.items():
            key = SCHEMA[section].get(name)
            if key is None:
                raise ConfigError(f"taizhang.toml 的 [{section}] 中有未知的设置 {name}。"
                                  f"{_near(name, SCHEMA[section])}这一节可用的设置有："
                                  f"{'、'.join(SCHEMA[section])}。请改正或删除这一行。")
            _check_value(section, name, value, key, defaults.get(section, {}).get(name))
    rec = {**defaults.get("recruitment", {}), **(data.get("recruitment") or {})}
    if rec.get("approve_warn_months", 0) > rec.get("approve_error_months", 0):
        raise ConfigError(f"taizhang.toml 的 [recruitment] 中 approve_warn_months（{rec['approve_warn_months']}）"
                          f"大于 approve_error_months（{rec['approve_error_months']}）：警告的期限应不超过错误的期限。")


def parse(data: dict[str, Any], recruitment_headers: dict[str, str] | None = None) -> Settings:
    """Typed settings from a parsed taizhang.toml laid over the defaults."""
    defaults = tomllib.loads(default_text())
    validate_schema(data, defaults := tomllib.loads(default_text()))
    merged = _merge(defaults, data)
    org = merged.get("organisation", {})
    try:
        year = int(org.get("year"))
    except (TypeError, ValueError):
        raise ConfigError("taizhang.toml 中 organisation.year（台账年度）应是年份，例如 2025") from None
    deadline = org.get("deadline")
    if isinstance(deadline, str) and deadline.strip():
        try:
            deadline = date.fromisoformat(deadline.strip())
        except ValueError:
            raise ConfigError(f"taizhang.toml 中 deadline“{deadline}”不是日期，请写成 2026-01-15") from None
    if isinstance(deadline, datetime):
        deadline = deadline.date()
    if deadline is not None and not isinstance(deadline, date):
        deadline = None
    severity: dict[str, Severity | None] = {}
    for rule_id, value in (merged.get("rules", {}).get("severity", {}) or {}).items():
        if rule_id not in catalog.RULES:
            raise ConfigError(f"taizhang.toml 的 [rules.severity] 中有未知的规则编号“{rule_id}”。"
                              f"{_near(rule_id, catalog.RULES)}规则编号见 README 的“校验规则”一节。")
        text = str(value).strip()
        if text in ("关闭", "off", "false", "停用"):
            severity[rule_id] = None
            continue
        try:
            severity[rule_id] = Severity.parse(text)
        except ValueError:
            raise ConfigError(
                f"taizhang.toml 中规则 {rule_id} 的严重程度“{value}”无效，可写 错误、警告、提示 或 关闭"
            ) from None
    dues_raw = merged.get("dues", {})
    dues = dict(dues_raw)
    dues["rounding"] = _decimal(dues_raw.get("rounding"), "dues.rounding")
    dues["working"] = _brackets(dues_raw.get("working"), "dues.working")
    dues["retired"] = _brackets(dues_raw.get("retired"), "dues.retired")
    dues["high_monthly"] = _decimal(dues_raw.get("high_monthly"), "dues.high_monthly")
    fixed = {}
    for cat, pair in (dues_raw.get("fixed") or {}).items():
        if not isinstance(pair, list) or len(pair) != 2:
            raise ConfigError(f"taizhang.toml 中 dues.fixed 的“{cat}”应是 [最低, 最高]")
        low, high = _decimal(pair[0], "dues.fixed"), _decimal(pair[1], "dues.fixed")
        if low.is_nan() or high.is_nan() or not 0 <= low <= high:
            raise ConfigError(f"taizhang.toml 中 dues.fixed 的“{cat}” [{pair[0]}, {pair[1]}] 不对："
                              "应为 [最低, 最高]，都不小于0，最低不大于最高")
        fixed[cat] = (low, high)
    dues["fixed"] = fixed
    rec = dict(merged.get("recruitment", {}))
    intervals = []
    headers = recruitment_headers or {}
    for i, item in enumerate(rec.pop("intervals", []) or []):
        where = f"recruitment.intervals 第{i + 1}项"
        try:
            start, end, months = item["from"], item["to"], int(item["min_months"])
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"taizhang.toml 中 {where} 应写明 from、to 和 min_months") from None
        if not 0 <= months <= 240 or isinstance(item["min_months"], (bool, float)):
            raise ConfigError(f"taizhang.toml 中 {where} 的 min_months = {item['min_months']} 不对：应是 0 到 240 之间的整数")
        keys = []
        for name in (start, end):
            key = headers.get(name, name)
            if headers and key not in headers.values():
                raise ConfigError(f"taizhang.toml 中 {where}：发展党员表没有“{name}”这一日期列")
            keys.append(key)
        try:
            sev = Severity.parse(item.get("severity", "警告"))
        except ValueError:
            raise ConfigError(f"taizhang.toml 中 {where} 的 severity 无效") from None
        intervals.append(Interval(keys[0], keys[1], months, sev))
    for key, value in rec.items():
        if not isinstance(value, int):
            raise ConfigError(f"taizhang.toml 中 recruitment.{key} 应是整数")
    freq = merged.get("frequency", {})
    for key, value in freq.items():
        if not isinstance(value, int) or value < 0:
            raise ConfigError(f"taizhang.toml 中 frequency.{key} 应是不小于0的整数")
    reports = dict(merged.get("reports", {}))
    days = reports.get("resubmit_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise ConfigError("taizhang.toml 中 reports.resubmit_days（重新报送的期限）应是1到365之间的天数，例如 10")
    collect = merged.get("collect", {})
    if collect.get("unverified") not in ("warn", "refuse"):
        raise ConfigError("taizhang.toml 中 collect.unverified 只能是 warn 或 refuse")
    return Settings(
        org_name=str(org.get("name", "")),
        org_code=str(org.get("code", "")),
        year=year,
        deadline=deadline,
        contact=str(org.get("contact", "")),
        phone=str(org.get("phone", "")),
        collect=collect,
        severity=severity,
        dues=dues,
        recruitment=rec,
        intervals=tuple(intervals),
        frequency=dict(freq),
        reports=reports,
        raw=merged,
    )


def read_text(path: Path) -> str:
    """The text of taizhang.toml (UTF-8, with or without the byte-order mark Notepad writes);
    ConfigError saying how to save it again when it is in another encoding."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"找不到设置文件 {path}") from None
    except OSError as exc:
        raise ConfigError(f"无法读取设置文件 {path}：{exc.strerror or exc}。请检查文件的访问权限。") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(
            f"设置文件 {path.name} 不是 UTF-8 编码（可能用记事本按 ANSI 或 GBK 保存了）。"
            "请用记事本打开它，“另存为”时把编码选为 UTF-8 后保存。") from None


# TOML's error messages (tomllib, English) → what they mean for someone editing the file
_TOML_HINTS = (
    ("Cannot overwrite a value", "同一项设置写了两次，请删去其中一行"),
    ("Cannot declare", "同一节（[…]）写了两次，请合并成一节"),
    ("Invalid value", "值的写法不对：文字要加英文双引号，数字不加引号，日期写成 2026-01-15"),
    ("Unclosed", "引号或括号不成对"),
    ("Expected '=' after a key", "缺少“=”，应写成 名称 = 值"),
    ("Invalid statement", "这一行不是“名称 = 值”的格式"),
    ("Illegal character", "含有不允许的字符"),
)
_AT_LINE = re.compile(r"at line (\d+)")


def toml_error(path: Path, text: str, exc: Exception) -> ConfigError:
    """A TOML syntax error in taizhang.toml, in Chinese: the line, what it holds, what is wrong."""
    detail = str(exc)
    m = _AT_LINE.search(detail)
    number = int(m.group(1)) if m else 0
    lines = text.splitlines()
    line = lines[number - 1].strip() if 0 < number <= len(lines) else ""
    why = next((hint for key, hint in _TOML_HINTS if key in detail), "格式不对")
    if any(c in line for c in "“”‘’＝［］"):
        why = "用了中文引号或全角符号，请改成英文半角的 \" = [ ]"
    where = f"第{number}行" + (f"（{line[:60]}）" if line else "") if number else ""
    return ConfigError(f"设置文件 {path.name} {where}格式有误：{why}（{detail}）。"
                       "请改正后保存；也可对照 README 的“设置”一节或 taizhang init 生成的设置文件。")


def load(path: Path, recruitment_headers: dict[str, str] | None = None) -> Settings:
    """Read and check taizhang.toml."""
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(path, text, exc) from None
    return parse(data, recruitment_headers)


def defaults(year: int = 2025) -> Settings:
    """The default settings (used by `validate FILE` outside a workspace)."""
    return parse(tomllib.loads(default_text(year=year)))


# --- the round: the ledger year and its deadline ---------------------------------------------------
def default_deadline(year: int) -> date:
    """The deadline `init` writes when none is given: 15 January after the ledger year."""
    return date(year + 1, 1, 15)


def deadline_stale(year: int, deadline: date | None) -> bool:
    """Whether `deadline` cannot be the deadline of the `year` round: it falls before the ledger
    year is over (31 December), while the round collects the whole year's ledger (the 通知 asks
    for 1 January to 31 December) — typically the previous year's deadline left in taizhang.toml
    when only the year was changed."""
    return deadline is not None and deadline < date(year, 12, 31)


def round_warnings(settings: Settings) -> list[Problem]:
    """What is wrong with the round's settings, as warnings for every command that uses them
    (issue writes the deadline into the 通知, collect and status judge 按时/逾期 by it, the
    reports and 统计表 state it): a stale deadline (CONFIG-DEADLINE)."""
    deadline = settings.deadline
    if deadline is None or not deadline_stale(settings.year, deadline):
        return []
    suggest = default_deadline(settings.year)
    return [catalog.make("CONFIG-DEADLINE", value=deadline, year=settings.year, deadline=_cn(deadline),
                         suggest=suggest.isoformat())]


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


_TABLE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$")


def with_round(text: str, year: int, deadline: date | None) -> str:
    """The text of a taizhang.toml with `organisation.year` and `organisation.deadline` set, every
    other line (and the comments after the values) kept as the user left them. A key missing from
    [organisation] is added under its header; ConfigError when the file has no [organisation]."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if (m := _TABLE.match(line)) and m.group(1) == "organisation"),
                 None)
    if start is None:
        raise ConfigError("taizhang.toml 中找不到 [organisation] 一节，无法修改年度。请对照 taizhang init 生成的设置文件恢复这一节。")
    end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
    values = {"year": str(year), "deadline": deadline.isoformat() if deadline else '""'}
    for key, value in values.items():
        pattern = re.compile(rf"^(\s*{key}\s*=\s*)([^#\r\n]*?)(\s*)(#[^\r\n]*)?(\r?\n)?$")
        for i in range(start + 1, end):
            m = pattern.match(lines[i])
            if m is None:
                continue
            old, gap, comment = m.group(2), m.group(3), m.group(4) or ""
            pad = " " * max(len(old) - len(value), 0) if comment else ""
            lines[i] = f"{m.group(1)}{value}{pad}{gap if comment else ''}{comment}{m.group(5) or ''}"
            break
        else:
            lines.insert(start + 1, f"{key} = {value}\n")
            end += 1
    out = "".join(lines)
    try:
        parsed = tomllib.loads(out)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - only a value we wrote changed
        raise ConfigError(f"修改后的 taizhang.toml 无法读取：{exc}") from None
    org = parsed.get("organisation", {})
    if org.get("year") != year:
        raise ConfigError("taizhang.toml 的 [organisation] 一节格式特殊，无法自动修改年度，请手工修改 year 和 deadline。")
    return out
