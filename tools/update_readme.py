"""Regenerate the parts of README.md that come from the code (the rule table)."""

from __future__ import annotations

from pathlib import Path

from taizhang.validate import rules_markdown

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "README.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{rules_markdown().strip()}\n{END}{tail}", encoding="utf-8")
    print(f"updated {path}")


if __name__ == "__main__":
    main()
