"""Report templates: the committed files are what the build script makes, every placeholder is
supplied, a workspace's edited template wins, a broken template is a clear message, and every
report renders in LibreOffice with its Chinese text."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import needs_soffice, soffice
from lxml import etree
from test_reports import AS_OF, one, text_of

from taizhang.party.periods import Period
from taizhang.reports.context import branch_context, committee_context
from taizhang.reports.generate import (
    TemplateProblem,
    generate,
    load_inputs,
    placeholders,
    shipped_template,
)
from taizhang.reports.kinds import BRANCH, KINDS

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _build_script():
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "report_templates" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _content(d: docx.document.Document) -> list[tuple[str, str]]:
    """(style, text) of every paragraph and table cell, in order; and the page setup."""
    items = [(p.style.name, p.text) for p in d.paragraphs]
    for t in d.tables:
        items += [(t.style.name if t.style else "", "|".join(c.text for c in row.cells)) for row in t.rows]
    s = d.sections[0]
    items.append(("section", f"{s.page_width}x{s.page_height} {s.top_margin} {s.left_margin} {s.right_margin}"))
    items += [("footer", p.text) for p in s.footer.paragraphs]
    return items


def _styles(d: docx.document.Document) -> bytes:
    return etree.tostring(d.styles.element, method="c14n")


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.id)
def test_committed_template_is_what_the_script_builds(kind) -> None:
    built = _build_script().build(kind.id)
    committed = docx.Document(str(ROOT / "report_templates" / kind.template_name))
    assert _content(committed) == _content(built), "run: python report_templates/build_templates.py"
    assert _styles(committed) == _styles(built), "run: python report_templates/build_templates.py"


def test_the_build_script_writes_every_template(tmp_path: Path) -> None:
    assert _build_script().main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(k.template_name for k in KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.id)
def test_every_placeholder_is_supplied(demo_ws, kind) -> None:
    inputs = load_inputs(demo_ws, kind.default_period(2025, AS_OF), as_of=AS_OF)
    ctx = branch_context(inputs, kind, "001") if kind.scope == BRANCH else committee_context(inputs, kind)
    needed = placeholders(shipped_template(kind))
    assert needed, "a template without placeholders"
    assert needed <= set(ctx), f"missing: {needed - set(ctx)}"


def _edit(template: Path, target: Path, old: str, new: str) -> None:
    d = docx.Document(str(template))
    hits = 0
    for p in d.paragraphs:
        for run in p.runs:
            if old in run.text:
                run.text = run.text.replace(old, new)
                hits += 1
    assert hits, f"{old} not in {template.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(target))


def test_a_workspace_template_takes_precedence_and_template_names_one(demo_ws, tmp_path: Path) -> None:
    kind = next(k for k in KINDS if k.id == "branch-annual")
    own = demo_ws.root / "report_templates" / kind.template_name
    _edit(shipped_template(kind), own, "现将全年工作情况报告如下：", "特将本支部全年工作报告如下：")
    try:
        run = generate(demo_ws, kind, branches=["001"], as_of=AS_OF)
        assert run.template == str(own)
        assert "特将本支部全年工作报告如下：" in text_of(one(run))
        other = tmp_path / "另一个模板.docx"
        _edit(shipped_template(kind), other, "现将全年工作情况报告如下：", "汇报如下：")
        run = generate(demo_ws, kind, branches=["001"], as_of=AS_OF, template=other)
        assert "汇报如下：" in text_of(one(run)) and "特将本支部" not in text_of(one(run))
    finally:
        own.unlink()


def test_a_template_with_an_unknown_placeholder_says_which(demo_ws, tmp_path: Path) -> None:
    kind = next(k for k in KINDS if k.id == "branch-annual")
    bad = tmp_path / "错字.docx"
    _edit(shipped_template(kind), bad, "{{ meetings.general }}", "{{ meetings.genaral }}")
    with pytest.raises(TemplateProblem, match="genaral"):
        generate(demo_ws, kind, branches=["001"], as_of=AS_OF, template=bad)
    broken = tmp_path / "断开.docx"
    _edit(shipped_template(kind), broken, "{{ org }}", "{{ org }")
    with pytest.raises(TemplateProblem, match="是否成对"):
        generate(demo_ws, kind, branches=["001"], as_of=AS_OF, template=broken)
    not_word = tmp_path / "不是模板.docx"
    not_word.write_bytes(b"not a zip")
    with pytest.raises(TemplateProblem, match="无法使用|无法打开"):
        generate(demo_ws, kind, branches=["001"], as_of=AS_OF, template=not_word)


def test_a_template_cannot_reach_python(demo_ws, tmp_path: Path) -> None:
    kind = next(k for k in KINDS if k.id == "branch-annual")
    evil = tmp_path / "evil.docx"
    _edit(shipped_template(kind), evil, "{{ org }}", "{{ org.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem):
        generate(demo_ws, kind, branches=["001"], as_of=AS_OF, template=evil)


# --- a real client -----------------------------------------------------------------------------
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>仿宋_GB2312</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>楷体_GB2312</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>方正小标宋简体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
"""


def _to_pdf(paths: list[Path], out: Path) -> None:
    """Convert with LibreOffice; the official font names are mapped to the Noto CJK faces the way a
    Linux office machine would map them (a Windows machine has the fonts themselves)."""
    conf = out / "fonts.conf"
    conf.write_text(FONTS_CONF, encoding="utf-8")
    env = {"HOME": str(out), "PATH": "/usr/bin:/bin", "FONTCONFIG_FILE": str(conf)}
    subprocess.run([soffice(), "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, paths)],
                   check=True, capture_output=True, timeout=300, env=env)


@needs_soffice
@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                    reason="poppler-utils 未安装")
def test_every_report_kind_renders_in_libreoffice(demo_ws, tmp_path: Path) -> None:
    docs = []
    for kind in KINDS:
        run = generate(demo_ws, kind, branches=["001"] if kind.scope == BRANCH else None,
                       period=Period.year(2025) if kind.id == "branch-term" else None, as_of=AS_OF)
        src = Path(one(run))
        docs.append(shutil.copy(src, tmp_path / f"{kind.id}.docx"))
    _to_pdf(docs, tmp_path)
    for kind in KINDS:
        pdf = tmp_path / f"{kind.id}.pdf"
        assert pdf.exists(), kind.name
        first = subprocess.run(["pdftotext", "-l", "1", "-layout", str(pdf), "-"], capture_output=True,
                               text=True, check=True).stdout
        title = docx.Document(str(tmp_path / f"{kind.id}.docx")).paragraphs[0].text.replace("\n", "")
        assert title.replace(" ", "")[:8] in first.replace(" ", "").replace("\n", ""), kind.name
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "CJK" in fonts, fonts
    info = subprocess.run(["pdfinfo", str(tmp_path / "committee-annual.pdf")], capture_output=True, text=True,
                          check=True).stdout
    assert int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages"))) >= 3
