"""``derive audit``: check every equation of a Markdown or LaTeX article."""
from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

from derive.audit import AUDIT_SECONDS
from derive.commands.options import add_notation_options, derived, parse_architecture
from derive.errors import DeriveError
from derive.progress import Progress

NAME = "audit"
HELP = ("check every equation of a Markdown or LaTeX article ($$ … $$, \\[ … \\], ```math, equation/align, "
        "inline math that holds an equation) and report by line")
MAX_ARTICLE_BYTES = 16 * 1024 * 1024
EXAMPLE = f"""example:
  derive audit post.md --arch 3-2-2
  derive audit post.md --arch 3-2-2 --format json

JSON: {{"notation": {{"name": "flat"|preset, "symbols": {{article name: [meanings]}}, "unbound": [names]}},
"items": [{{"line": N, "end_line": M, "latex": "…", "verdict": "right"|"wrong"|"undecided"|"skipped",
"diagnosis": "…"|null}}, …]}}. Exit status: 0 every equation right, 1 something wrong, 2 bad
input, 3 nothing wrong but something could not be judged (unreadable, unterminated block,
undecided, a symbol the --arch network does not have) or nothing judged at all.
Articles are regular files of up to {MAX_ARTICLE_BYTES // 2**20} MiB; one audit judges for up to {AUDIT_SECONDS:g} s,
then reports the rest as not judged.
"""
TAKES_ARCHITECTURE = "option"


def add_options(parser) -> None:
    parser.add_argument("article", metavar="ARTICLE", help="the article: Markdown (any text) or LaTeX (.tex)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_notation_options(parser, "auto")
    parser.add_argument("--loss-name", metavar="NAME",
                        help="the loss's symbol in the article (default: MSE for the squared errors, or L, E, C, J)")


def read_article(path: Path) -> str:
    """The article's text: a regular file of at most MAX_ARTICLE_BYTES, in UTF-8."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DeriveError(f"cannot read {path}: not a regular file")
        if info.st_size > MAX_ARTICLE_BYTES:
            raise DeriveError(f"{path} is {info.st_size / 2**20:.1f} MiB; audit reads articles of up to "
                              f"{MAX_ARTICLE_BYTES // 2**20} MiB")
        with path.open("rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
        if len(data) > MAX_ARTICLE_BYTES:
            raise DeriveError(f"{path} is over {MAX_ARTICLE_BYTES // 2**20} MiB; audit reads articles up to that size")
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DeriveError(f"cannot read {path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise DeriveError(f"cannot read {path}: {error.strerror or error}") from None


def run(args) -> int:
    from derive.audit import audit_article, exit_status
    from derive.check import Checker
    from derive.notation import accepted_loss_names

    path = Path(args.article)
    markdown = read_article(path)
    arch = parse_architecture(args)
    checker = Checker(derived(args, arch))
    names = accepted_loss_names(arch, args.loss_name)
    tex = path.suffix.lower() in (".tex", ".ltx", ".latex")
    with Progress(args.quiet or args.format == "json").step(f"auditing {path.name}"):
        items, notation = audit_article(markdown, checker, arch, loss_names=names, tex=tex, notation=args.notation,
                                        symbols=args.symbols)
    if args.format == "json":
        print(json.dumps({"notation": notation, "items": [item.as_dict() for item in items]}, ensure_ascii=False,
                         indent=2))
    else:
        for item in items:
            where = f"line {item.line}" if item.line == item.end_line else f"lines {item.line}-{item.end_line}"
            note = f": {item.shown}" if item.shown else ""
            print(f"{where}: {item.verdict}{note}\n    {item.latex[:110]}")
        counts = {v: sum(i.verdict == v for i in items) for v in ("right", "wrong", "undecided", "skipped")}
        print(f"{counts['right']} right, {counts['wrong']} wrong, {counts['undecided']} undecided, "
              f"{counts['skipped']} skipped")
    status, why = exit_status(items)
    if why:
        print(f"derive: {why}", file=sys.stderr)
    return status
