"""``derive audit``: check every equation of a Markdown article."""
from __future__ import annotations

import json
from pathlib import Path

from derive.commands.options import derived, parse_architecture
from derive.errors import DeriveError
from derive.progress import Progress

NAME = "audit"
HELP = "check every display equation of a Markdown article ($$ … $$, \\[ … \\]) and report by line"
EXAMPLE = """example:
  derive audit post.md --arch 3-2-2
  derive audit post.md --arch 3-2-2 --format json

JSON: {"items": [{"line": N, "end_line": M, "latex": "…", "verdict": "right"|"wrong"|"skipped",
"diagnosis": "…"|null}, …]}. Exit status: 0 nothing wrong, 1 something wrong, 2 bad input.
"""
TAKES_ARCHITECTURE = "option"


def add_options(parser) -> None:
    parser.add_argument("article", metavar="ARTICLE.md", help="the Markdown article")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args) -> int:
    from derive.audit import audit
    from derive.check import Checker

    path = Path(args.article)
    try:
        markdown = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DeriveError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    arch = parse_architecture(args)
    checker = Checker(derived(args, arch))
    with Progress(args.quiet or args.format == "json").step(f"auditing {path.name}"):
        items = audit(markdown, checker, arch)
    if args.format == "json":
        print(json.dumps({"items": [item.as_dict() for item in items]}, ensure_ascii=False, indent=2))
    else:
        for item in items:
            where = f"line {item.line}" if item.line == item.end_line else f"lines {item.line}-{item.end_line}"
            note = f": {item.diagnosis}" if item.diagnosis else ""
            print(f"{where}: {item.verdict}{note}\n    {item.latex[:110]}")
        counts = {v: sum(i.verdict == v for i in items) for v in ("right", "wrong", "skipped")}
        print(f"{counts['right']} right, {counts['wrong']} wrong, {counts['skipped']} skipped")
    return 1 if any(item.verdict == "wrong" for item in items) else 0
