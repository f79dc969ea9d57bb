"""Fill the report templates from the ledgers and write the Word documents to output/reports/.

`generate` writes one kind of report (for chosen branches, all branches, or the committee) for a
period; `generate_all` writes every kind for the workspace's year (what the demo does). The
template is the workspace's own `report_templates/<种类>.docx` when there is one, else the shipped
one, or a file named with `template=`. Templates are filled with docxtpl in a sandboxed, escaping
Jinja environment; a placeholder the template asks for that the data does not have is a clear
error naming it, never an empty gap.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from taizhang import gongwen
from taizhang.collect.status import statuses
from taizhang.errors import InputError, TaizhangError
from taizhang.party.periods import Period
from taizhang.problems import Problem
from taizhang.reports.context import Chart, ReportInputs, branch_context, committee_context
from taizhang.reports.kinds import BRANCH, KINDS, ReportKind
from taizhang.safeio import AtomicBatch, atomic_batch, atomic_path, safe_filename
from taizhang.statistics.load import ReturnsByYear, load_current, load_stats
from taizhang.statistics.model import Stats
from taizhang.workspace import Workspace, writes
from taizhang.workspace import branches as branches_mod
from taizhang.workspace.definitions import shipped_dir

REPORTS_FOLDER = "reports"
TEMPLATES_FOLDER = "report_templates"

Progress = Callable[[str, int, int], None]  # (label, done, total)


class TemplateProblem(TaizhangError):
    """A report template cannot be used (missing, not a Word file, broken placeholders)."""


@dataclass
class Written:
    """One report written."""

    kind: str
    path: str
    branch_code: str = ""
    branch_name: str = ""
    period: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class ReportRun:
    """What one `generate` call did."""

    kind: str
    period: str
    template: str
    written: list[Written] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # branches without a return
    warnings: list[Problem] = field(default_factory=list)  # about the round's settings (a stale deadline)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "period": self.period, "template": self.template,
                "written": [w.to_dict() for w in self.written], "skipped": list(self.skipped),
                "warnings": [p.to_dict() for p in self.warnings]}


# --- templates ---------------------------------------------------------------------------------
def template_for(ws: Workspace, kind: ReportKind, explicit: Path | None = None) -> Path:
    """The template to use: `explicit`, else the workspace's report_templates/<种类>.docx, else
    the shipped one. TemplateProblem when the file named does not exist or is not a .docx."""
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise TemplateProblem(f"找不到报告模板文件 {path}。")
        if path.suffix.lower() != ".docx":
            raise TemplateProblem(f"报告模板 {path.name} 不是 Word 文档（.docx）。请用 Word 或 WPS 另存为 .docx 格式。")
        return path
    own = Path(ws.root) / TEMPLATES_FOLDER / kind.template_name
    if own.is_file():
        return own
    return shipped_template(kind)


def shipped_template(kind: ReportKind) -> Path:
    """The template shipped with taizhang for `kind`."""
    path = shipped_dir(TEMPLATES_FOLDER) / kind.template_name
    if not path.is_file():
        raise TemplateProblem(f"找不到随程序提供的报告模板 {kind.template_name}，安装可能不完整，请重新安装 taizhang。")
    return path


class TemplateEnvironment(SandboxedEnvironment):
    """The environment templates are filled in: sandboxed (a template cannot reach Python), XML
    special characters escaped, and an unknown placeholder is an error. A document part's
    template is compiled once and kept, so filling one template for many branches compiles it
    once (docxtpl asks for every part of every document anew)."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


def jinja_env() -> TemplateEnvironment:
    """A fresh template environment (see TemplateEnvironment)."""
    return TemplateEnvironment()


def placeholders(path: Path) -> set[str]:
    """The top-level names a template uses (e.g. {"org", "meetings", …})."""
    try:
        return set(DocxTemplate(str(path)).get_undeclared_template_variables(jinja_env()))
    except TemplateError as exc:
        raise _template_error(path, exc) from None
    except Exception as exc:  # noqa: BLE001 - a file that is not a Word document at all
        raise TemplateProblem(f"报告模板 {Path(path).name} 无法打开（{exc.__class__.__name__}），请确认它是 Word 文档。") from None


def _template_error(path: Path, exc: Exception) -> TemplateProblem:
    if isinstance(exc, UndefinedError):
        name = re.search(r"'([^']+)' (?:is undefined|has no attribute '([^']+)')", str(exc))
        what = (name.group(2) or name.group(1)) if name else str(exc)
        return TemplateProblem(
            f"报告模板 {Path(path).name} 中的占位符“{what}”不存在，可能是改模板时写错了名字。"
            "请对照随程序提供的模板改正（可用 taizhang report 种类 --fields 查看可用的占位符）。")
    line = getattr(exc, "lineno", None)
    return TemplateProblem(
        f"报告模板 {Path(path).name} 的占位符写法有误（{exc.__class__.__name__}: {getattr(exc, 'message', exc)}"
        f"{f'，约第{line}行' if line else ''}）。请检查每个 {{{{ }}}} 和 {{% %}} 是否成对、是否被拆开。")


def _images(value: Any, tpl: DocxTemplate) -> Any:
    """The context with every Chart turned into a picture the template can place."""
    if isinstance(value, Chart):
        return InlineImage(tpl, io.BytesIO(value.png), width=Mm(value.width_mm)) if value else ""
    if isinstance(value, dict):
        return {k: _images(v, tpl) for k, v in value.items()}
    if isinstance(value, list):
        return [_images(v, tpl) for v in value]
    return value


def render(template: Path, context: dict[str, Any], out: Path, *, title: str = "",
           author: str = "", env: TemplateEnvironment | None = None, batch: AtomicBatch | None = None) -> Path:
    """Fill `template` with `context` and write the document to `out` (atomically; with `batch`,
    put in place together with the rest of the batch). Pass the same `env` when filling one
    template many times."""
    tpl = DocxTemplate(str(template))
    try:
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 - whatever python-docx raises on a file that is not a Word document
        raise TemplateProblem(
            f"报告模板 {Path(template).name} 无法打开（{exc.__class__.__name__}），请确认它是用 Word 或 WPS "
            "保存的 .docx 文件。") from None
    try:
        tpl.render(_images(context, tpl), jinja_env=env or jinja_env(), autoescape=True)
    except TemplateError as exc:
        raise _template_error(template, exc) from None
    doc = tpl.docx
    gongwen.fix_signatures(doc)
    props = doc.core_properties
    props.title = title or props.title
    props.subject = context.get("kind", "")
    props.author = author
    props.last_modified_by = author
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    props.created = now
    props.modified = now
    out.parent.mkdir(parents=True, exist_ok=True)
    with (batch.path(out) if batch is not None else atomic_path(out)) as tmp:
        doc.save(str(tmp))
    return out


# --- data ----------------------------------------------------------------------------------------
def load_inputs(ws: Workspace, period: Period, *, as_of: dt.date, report_date: dt.date | None = None,
                strict: bool = False, unit: str | None = None) -> ReportInputs:
    """Gather what every report of `period` reads: statistics, current returns, problems — for
    the whole workspace, or for the branches under `unit` (a code of the tree)."""
    from taizhang.workspace.store import Store

    loaded = load_current(ws, period, strict=strict, statuses=statuses(ws, period.years))
    stats = load_stats(ws, period, as_of=as_of, strict=strict, loaded=loaded, unit=unit)
    returns = ReturnsByYear(loaded.returns)  # loads a branch's returns when a report asks for them
    problems: dict[str, list[Problem]] = {}
    last = period.years[-1]
    with Store.read(ws.store_path) as store:
        for (code, year), sub in loaded.submissions.items():
            if year == last:
                problems[code] = store.problems(sub.id)
        known = store.years()
    items, _ = branches_mod.read(ws.branches_path)
    s = ws.settings
    from taizhang.workspace.rounds import deadline_for

    # The round a report speaks of: the period's last year when a round was run for it (its
    # returns were collected and judged by its deadline), else the workspace's.
    round_year = last if last == s.year or last in known else s.year
    return ReportInputs(
        committee=_committee_ledger(ws, last),
        org=s.org_name, stats=stats, returns=returns, problems=problems,
        branches={b.code: b for b in items}, as_of=as_of, report_date=report_date or as_of,
        deadline=deadline_for(ws, round_year), settings=s,
        round_year=round_year, contact=s.contact, phone=s.phone, unit_name=stats.unit_name,
    )


def _committee_ledger(ws: Workspace, year: int) -> Any:
    """The committee's own ledger (党委工作台账.xlsx) of `year`, or None where there is none."""
    try:
        from taizhang import committee
    except ImportError:  # a build without the committee ledger
        return None
    return committee.load(ws, year)


def _title(kind: ReportKind, ctx: dict[str, Any]) -> str:
    if kind.scope == BRANCH:
        return f"{ctx['branch']['name']}{ctx['period']['label']}{kind.name}"
    return f"{ctx['org']}{ctx['period']['label']}{kind.name}"


def output_path(ws: Workspace, kind: ReportKind, period: Period, stats: Stats, code: str = "") -> Path:
    """Where a report is written: output/reports/<种类>/<编码>_<支部>_<期间><种类>.docx for a branch,
    output/reports/<期间><种类>.docx for the committee."""
    folder = ws.folder("output") / REPORTS_FOLDER
    if kind.scope == BRANCH:
        b = stats.branch(code)
        name = b.name if b else code
        file = f"{safe_filename(code)}_{safe_filename(name)}_{safe_filename(period.label + kind.name)}.docx"
        return folder / kind.name / file
    unit = f"{safe_filename(stats.unit_name)}_" if stats.unit_name else ""
    return folder / f"{unit}{safe_filename(period.label + kind.name)}.docx"


@writes("taizhang report")
def generate(ws: Workspace, kind: ReportKind | str, *, branches: Sequence[str] | None = None,
             period: Period | None = None, template: Path | None = None, as_of: dt.date | None = None,
             report_date: dt.date | None = None, strict: bool = False, unit: str | None = None,
             progress: Progress | None = None, inputs: ReportInputs | None = None,
             year: int | None = None) -> ReportRun:
    """Write the reports of one kind and return what was written.

    `unit` (a code of the tree) limits the report to the branches under it: the committee kinds
    are then that unit's report (e.g. a 党总支's 年度党建工作总结). For a branch kind, `branches` names the branch codes (None: every branch that has returned for
    the period; branches without a return are listed in `skipped`, and a code named explicitly
    that has none is an InputError). For a committee kind `branches` must be None.
    """
    if isinstance(kind, str):
        from taizhang.reports.kinds import find_kind

        kind = find_kind(kind)
    as_of = as_of or dt.date.today()
    period = period or kind.default_period(year or ws.settings.year, as_of)
    kind.check_period(period)
    path = template_for(ws, kind, template)
    data = inputs or load_inputs(ws, period, as_of=as_of, report_date=report_date, strict=strict, unit=unit)
    stats = data.stats
    run = ReportRun(kind=kind.name, period=period.label, template=str(path))
    if ws.settings.year in period.years:
        from taizhang.workspace.config import round_warnings

        run.warnings = round_warnings(ws.settings)
    author = data.org
    env = jinja_env()
    if kind.scope != BRANCH:
        if branches:
            raise InputError(f"{kind.name}是全单位的报告，不能指定支部（去掉 --branch）。")
        ctx = committee_context(data, kind)
        out = output_path(ws, kind, period, stats)
        if progress:
            progress(out.name, 0, 1)
        render(path, ctx, out, title=_title(kind, ctx), author=author, env=env)
        run.written.append(Written(kind.name, str(out), period=period.label))
        if progress:
            progress(out.name, 1, 1)
        return run
    codes = _branch_codes(stats, branches, period, run)
    # The branches' reports are one set: every one is written before any replaces the old one, so
    # an interrupted run (killed, disk full) leaves the previous set whole, never old and new mixed.
    with atomic_batch() as batch:
        for i, code in enumerate(codes):
            ctx = branch_context(data, kind, code)
            out = output_path(ws, kind, period, stats, code)
            if progress:
                progress(ctx["branch"]["name"], i, len(codes))
            render(path, ctx, out, title=_title(kind, ctx), author=author, env=env, batch=batch)
            run.written.append(Written(kind.name, str(out), code, ctx["branch"]["name"], period.label))
    if progress:
        progress("", len(codes), len(codes))
    return run


def _branch_codes(stats: Stats, wanted: Sequence[str] | None, period: Period, run: ReportRun) -> list[str]:
    if wanted:
        codes = []
        for raw in wanted:
            code = str(raw).strip()
            b = stats.branch(code)
            if b is None:
                raise branches_mod.not_listed([code], [(x.code, x.name) for x in stats.per_branch])
            if not b.returned:
                why = "的台账有错误，按 --strict 未纳入" if b.excluded else f"还没有报送{period.label}的台账"
                raise InputError(f"{b.name}（{code}）{why}，无法生成报告。")
            codes.append(code)
        return list(dict.fromkeys(codes))
    codes = []
    for b in stats.per_branch:
        if b.returned:
            codes.append(b.code)
        else:
            reason = "台账有错误，未纳入（--strict）" if b.excluded else f"未报送{period.label}的台账"
            run.skipped.append({"code": b.code, "name": b.name, "reason": reason})
    return codes


@writes("taizhang report")
def generate_all(ws: Workspace, *, as_of: dt.date | None = None, progress: Progress | None = None) -> list[Path]:
    """Write every kind of report for the workspace's year (the quarterly report for its last
    quarter, the term report for the years collected, up to three): what the demo does."""
    as_of = as_of or dt.date.today()
    year = ws.settings.year
    paths: list[Path] = []
    cache: dict[str, ReportInputs] = {}
    for kind in KINDS:
        period = _demo_period(ws, kind, year, as_of)
        key = period.spec
        if key not in cache:
            cache[key] = load_inputs(ws, period, as_of=as_of)
        run = generate(ws, kind, period=period, as_of=as_of, inputs=cache[key], progress=progress)
        paths.extend(Path(w.path) for w in run.written)
    return paths


def _demo_period(ws: Workspace, kind: ReportKind, year: int, as_of: dt.date) -> Period:
    from taizhang.party.periods import YEARS
    from taizhang.workspace.store import Store

    if YEARS not in kind.periods:
        return kind.default_period(year, as_of)
    with Store.read(ws.store_path) as store:
        years = sorted({s.year for s in store.submissions() if s.is_current and s.year <= year})
    first = min([y for y in years if y >= year - 2] or [year])
    return Period.years_between(first, year)


def fields(ws: Workspace, kind: ReportKind, *, period: Period | None = None, code: str | None = None,
           as_of: dt.date | None = None, year: int | None = None) -> dict[str, Any]:
    """The placeholders a template of `kind` can use, with their values for one branch (the first
    that returned, or `code`) or the committee: a flat {"meetings.general": 4, …} mapping."""
    as_of = as_of or dt.date.today()
    period = period or kind.default_period(year or ws.settings.year, as_of)
    kind.check_period(period)
    data = load_inputs(ws, period, as_of=as_of)
    if kind.scope == BRANCH:
        chosen = code or next((b.code for b in data.stats.per_branch if b.returned), None)
        if chosen is None:
            raise InputError(f"还没有支部报送{period.label}的台账。")
        ctx = branch_context(data, kind, chosen)
    else:
        ctx = committee_context(data, kind)
    return _flatten(ctx)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        out[prefix] = f"（列表，{len(value)}项）" if value and isinstance(value[0], dict) else value
        if value and isinstance(value[0], dict):
            for k, v in _flatten(value[0], f"{prefix}[0]").items():
                out[k] = v
    elif isinstance(value, Chart):
        out[prefix] = "（图表）"
    else:
        out[prefix] = value
    return out
