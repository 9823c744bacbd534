"""`python -m webapp.openapi FILE`: the API's OpenAPI document (what /api/v1/openapi.json serves of the routes
under /api/v1), written to FILE or printed. The Mini App's TypeScript types are generated from it
(`npm run gen:api`); it is built from the API's routes alone, without settings, a database or the core."""

import argparse
import json
from pathlib import Path
from typing import Any

from litestar import Litestar

from webapp.app import api_router, openapi_config
from webapp.decimal_schema import DecimalSchema


def openapi_document() -> dict[str, Any]:
    """As JSON has it: a Decimal (a field's default) a string, as the API serves it."""
    app = Litestar(route_handlers=[api_router()], openapi_config=openapi_config(), plugins=[DecimalSchema()])
    served: dict[str, Any] = json.loads(json.dumps(app.openapi_schema.to_schema(), default=str))
    return served


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m webapp.openapi", description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, help="where to write it (default: standard output)")
    args = parser.parse_args(argv)
    text = json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
    if args.file is None:
        print(text, end="")
    else:
        args.file.write_text(text)


if __name__ == "__main__":
    main()
