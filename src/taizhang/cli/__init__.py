"""The command line: parses arguments, calls one library function, renders its result.

Each command lives in a small module; `app` collects them. Nothing imports this package.
"""

from __future__ import annotations

import typer

from . import common

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

from . import workspace_cmds, issue_cmd  # noqa: E402  (registration order = help order)

workspace_cmds.register(app)
issue_cmd.register(app)

for _name in ("collect_cmds", "validate_cmd", "consolidate_cmds", "hierarchy_cmds", "report_cmd", "demo_cmd"):
    try:
        _mod = __import__(f"{__name__}.{_name}", fromlist=["register"])
    except ModuleNotFoundError as exc:  # a command module not written yet
        if exc.name != f"{__name__}.{_name}":
            raise
    else:
        _mod.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
