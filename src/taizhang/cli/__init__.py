"""The command line: parses arguments, calls one library function, renders its result.

Each command lives in a small module with a `register(app)`; `app` collects them, in the order
they appear in the help. Nothing imports this package.
"""

from __future__ import annotations

import typer

from taizhang.cli import (
    chinese,
    collect_cmds,
    common,
    consolidate_cmds,
    demo_cmd,
    hierarchy_cmds,
    issue_cmd,
    members_cmd,
    report_cmd,
    validate_cmd,
    workspace_cmds,
    year_cmd,
)

app = typer.Typer(
    name="taizhang",
    help="党建工作台账：下发台账、收集报送、校验问题、汇总统计、生成报告。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.callback()(common.global_options)

for _module in (workspace_cmds, year_cmd, issue_cmd, members_cmd, collect_cmds, validate_cmd, consolidate_cmds, hierarchy_cmds,
                report_cmd, demo_cmd):
    _module.register(app)

# Every command, including those registered above by any module, takes the global options after
# its name too, and speaks Chinese (help, usage, errors).
for _info in chinese.walk(app):
    _info.callback = common.accepting_global_options(_info.callback)
chinese.install(app)


def main() -> None:
    """Console-script entry point."""
    app()
