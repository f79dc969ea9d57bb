"""The documentation stays true: every command has help and is in the README; CI runs the README's
test command; the README's rule table is the catalog's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import invoke

from taizhang.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def test_all_commands_registered() -> None:
    assert {"init", "branches", "issue", "collect", "status", "problems", "validate", "consolidate",
            "stats", "demo", "templates", "rollup"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_help_and_is_in_readme(runner, command: str) -> None:
    result = invoke(runner, command, "--help")
    assert result.exit_code == 0
    assert re.search(r"[\u4e00-\u9fff]", result.output), "help is in Chinese"
    assert f"taizhang {command}" in README, f"README does not mention `taizhang {command}`"


GROUP_COMMANDS = sorted(f"{g.name} {c.name}" for g in app.registered_groups for c in g.typer_instance.registered_commands)


def test_command_groups_are_registered() -> None:
    assert {"link add", "link import", "link list", "link remove"} <= set(GROUP_COMMANDS)


@pytest.mark.parametrize("command", GROUP_COMMANDS)
def test_group_command_has_help_and_is_in_readme(runner, command: str) -> None:
    result = invoke(runner, *command.split(), "--help")
    assert result.exit_code == 0
    assert re.search(r"[\u4e00-\u9fff]", result.output), "help is in Chinese"
    assert f"taizhang {command}" in README, f"README does not mention `taizhang {command}`"


def _fenced_commands() -> list[str]:
    return [line.strip() for block in re.findall(r"```bash\n(.*?)```", README, re.S) for line in block.splitlines()]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(c for c in _fenced_commands() if "pytest" in c)
    assert test_command in [line.strip() for line in ci.splitlines()]
    assert any("taizhang demo" in c and "pip install ." in c for c in _fenced_commands())


def test_readme_rule_table_matches_the_catalog() -> None:
    from taizhang.validate import rules_markdown

    start, end = "<!-- rules:start -->", "<!-- rules:end -->"
    assert start in README and end in README
    block = README.split(start, 1)[1].split(end, 1)[0].strip()
    assert block == rules_markdown().strip(), "run: python tools/update_readme.py"


def test_the_architecture_page_names_every_package_and_the_readme_points_to_it() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    src = ROOT / "src" / "taizhang"
    packages = sorted(p.name for p in src.iterdir() if (p / "__init__.py").is_file())
    missing = [name for name in packages if f"`{name}/`" not in page]
    assert missing == [], f"docs/architecture.md does not describe {missing}"
    assert "docs/architecture.md" in README
