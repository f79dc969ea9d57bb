"""The definition loader: the shipped ledgers, and a clear message for each kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from taizhang import catalog
from taizhang.errors import DefinitionError
from taizhang.workspace.definitions import load_definitions, shipped_dir

# The exact headers of ledgers.md, in order, with what template 2026.1 added (专题类别, 完成进度,
# 荣誉和成果, 季度小结, the 年度小结's 支委会 and 书记 fields).
EXPECTED = {
    "党员名册": "序号 姓名 性别 民族 出生日期 学历 入党日期 转正日期 党员类别 人员类别 党内职务 所在党小组 党籍状态 变动日期 备注",
    "三会一课": "序号 日期 会议类型 主题或议题 议题数 主持人或授课人 记录人 应到人数 实到人数 缺席人员及原因 形成决议或主要内容 专题类别 备注",
    "组织生活": "序号 日期 活动类型 活动名称或主题 地点 参加人数 参加人员或对象 内容及成效 专题类别 完成进度（%） 备注",
    "党费收缴": "序号 姓名 人员类别 月计算基数(元) 交纳比例 月应交(元) "
    + " ".join(f"{m}月" for m in range(1, 13)) + " 全年实交(元) 备注",
    "发展党员": "序号 姓名 性别 出生日期 民族 学历 工作岗位 递交申请书日期 谈话日期 确定积极分子日期 培养联系人 "
    "确定发展对象日期 入党介绍人 集中培训日期 接收预备党员日期 上级党委审批日期 转正日期 当前阶段 备注",
    "荣誉和成果": "序号 授予日期 荣誉或成果名称 级别 授予单位 获得者（支部或党员姓名） 备注",
    "季度小结": "季度 本季度主要工作 存在的问题 下季度工作打算",
    "年度小结": "工作亮点和特色做法 存在的问题和不足 下一步工作打算 支委会换届或补选情况 支委会职数 实配支委人数 "
    "书记本人履职情况（一岗双责、讲党课、谈心谈话、主持支委会等） 书记讲党课次数 书记谈心谈话人次 填报人 支部书记 填报日期",
}
REQUIRED = {
    "党员名册": {"姓名", "性别", "出生日期", "入党日期", "党员类别", "人员类别", "党籍状态"},
    "三会一课": {"日期", "会议类型", "主题或议题", "主持人或授课人", "应到人数", "实到人数"},
    "组织生活": {"日期", "活动类型", "活动名称或主题", "参加人数"},
    "党费收缴": {"姓名", "人员类别", "月计算基数(元)", "月应交(元)"},
    "发展党员": {"姓名", "性别", "出生日期", "递交申请书日期", "当前阶段"},
    "荣誉和成果": {"荣誉或成果名称"},
    "季度小结": {"季度", "本季度主要工作"},
}


def test_shipped_definitions_match_ledgers_md() -> None:
    d = load_definitions()
    assert [led.sheet for led in d.ledgers] == list(EXPECTED)
    for led in d.ledgers:
        assert " ".join(led.headers) == EXPECTED[led.sheet]
        if led.sheet in REQUIRED:
            assert {c.header for c in led.columns if c.required} == REQUIRED[led.sheet]
        for rule in led.rules:
            assert rule in catalog.RULES
    assert d.instructions.sheet == "填表说明"
    assert d.version


def _copy_shipped(folder: Path) -> Path:
    target = folder / "workbook_templates"
    target.mkdir(parents=True)
    for src in shipped_dir("workbook_templates").glob("*.toml"):
        (target / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("meetings.toml", 'type = "date"', 'type = "datum"', "meetings.toml 的 columns[1]（日期）.type：未知的类型“datum”"),
        ("meetings.toml", 'header = "备注"', 'header = "日期"', "meetings.toml 的 columns[12].header：表头“日期”重复"),
        ("roster.toml", 'values = ["男", "女"]', "values = []", "roster.toml 的 columns[2]（性别）.values：选项类型（enum）的列必须列出可选值"),
        ("meetings.toml", '"MEET-QUORUM"', '"MEET-QUORUMX"', "meetings.toml 的 rules：未知的规则编号“MEET-QUORUMX”"),
        ("meetings.toml", 'key = "date"', 'key = "seq"', "meetings.toml 的 columns[1].key：key“seq”重复"),
        ("meetings.toml", 'width = 12', 'widht = 12', "不认识的设置项 widht"),
        ("meetings.toml", 'sheet = "三会一课"', 'sheet = "三会/一课"', "meetings.toml 的 sheet：“三会/一课”不能作为工作表名"),
        ("roster.toml", 'default = "在册"', 'default = "在岗"', "默认值“在岗”不在可选值中"),
        ("meetings.toml", 'id = "meetings"', 'id = "meetings"\nid = "x"', "不是有效的TOML"),
    ],
)
def test_each_mistake_names_file_and_key(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    folder = _copy_shipped(tmp_path)
    _edit(folder / file, old, new)
    with pytest.raises(DefinitionError) as err:
        load_definitions(tmp_path)
    assert message in str(err.value)


def test_workbook_lists_unknown_ledger(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    _edit(folder / "workbook.toml", '"summary"]', '"summary", "ideology"]')
    with pytest.raises(DefinitionError, match="workbook.toml 的 sheets：列出的“ideology”没有对应的定义文件"):
        load_definitions(tmp_path)


def test_workspace_adds_a_ledger_and_marks_the_version(tmp_path: Path) -> None:
    folder = tmp_path / "workbook_templates"
    folder.mkdir()
    (folder / "ideology.toml").write_text(
        'id = "ideology"\nsheet = "意识形态工作台账"\nversion = "1"\n'
        '[[columns]]\nkey = "date"\nheader = "日期"\ntype = "date"\nrequired = true\n'
        '[[columns]]\nkey = "topic"\nheader = "内容"\ntype = "text"\n',
        encoding="utf-8",
    )
    d = load_definitions(tmp_path)
    assert d.ledgers[-1].sheet == "意识形态工作台账"
    assert d.version.startswith(load_definitions().version + "+本地")
    assert d.fingerprint != load_definitions().fingerprint


def test_workspace_overrides_a_shipped_ledger(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    for f in folder.glob("*.toml"):
        if f.name != "meetings.toml":
            f.unlink()
    _edit(folder / "meetings.toml", "input_rows = 120", "input_rows = 30")
    d = load_definitions(tmp_path)
    assert d.ledger("meetings").input_rows == 30
    assert len(d.ledgers) == len(load_definitions().ledgers)


def test_template_2026_lists_match_the_vocabulary() -> None:
    """The 专题类别, 季度 and 级别 drop-downs are the vocabulary's lists, and the new sheets and
    columns say since which template version they exist (older returns lack them rightly)."""
    from taizhang import vocabulary

    d = load_definitions()
    assert d.version == "2026.1"
    for ledger_id in ("meetings", "activities"):
        col = d.ledger(ledger_id).column("theme_kind")
        assert col.values == vocabulary.THEME_KINDS and col.since == "2026.1" and not col.required
    progress = d.ledger("activities").column("progress")
    assert (progress.type, progress.min, progress.max) == ("int", 0, 100)
    assert d.ledger("quarterly").column("quarter").values == vocabulary.QUARTERS
    assert d.ledger("honours").column("level").values == vocabulary.HONOUR_LEVELS
    assert d.ledger("honours").since == d.ledger("quarterly").since == "2026.1"
    summary = d.ledger("summary")
    for key in ("committee_election", "committee_posts", "committee_filled", "secretary_account",
                "secretary_lessons", "secretary_talks"):
        assert summary.column(key).since == "2026.1"
    assert {s for s, _ in d.instructions.examples} >= {"三会一课", "组织生活", "荣誉和成果", "季度小结", "年度小结"}


def test_added_after_compares_versions() -> None:
    from taizhang.workspace.definitions import added_after, version_key

    assert version_key("2026.1+本地3fa2c1") == (2026, 1)
    assert added_after("2026.1", "2025.1") and added_after("2026.1", "")
    assert not added_after("2026.1", "2026.1") and not added_after("2026.1", "2026.2")
    assert not added_after("", "2025.1")


def test_since_must_be_a_version(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    _edit(folder / "honours.toml", 'since = "2026.1"', 'since = "新版"')
    with pytest.raises(DefinitionError, match="honours.toml 的 since"):
        load_definitions(tmp_path)
