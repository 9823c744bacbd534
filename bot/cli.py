"""The `tsbot` command. Each sub-command imports what it needs when it runs, so `tsbot parse` starts fast."""

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsbot", description="A Telegram trading bot and its tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = sub.add_parser("parse", help="read trading text into intent and entities")
    parse.add_argument("--jsonl", action="store_true", help='read {"id","text"} lines on stdin, write results')
    parse.add_argument("text", nargs="?", help="a message to read and explain")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "parse":
        from nlp.cli import parse_command

        return parse_command(jsonl=args.jsonl, text=args.text)
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
