"""The Mini App's expectations of the API, checked against the API itself: its TypeScript types are generated
from the OpenAPI document this code serves (`python -m webapp.openapi`, then `npm run gen:api`), and its
sources must pass the type check against them, as `make frontend` requires."""

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.webapp.conftest import Api
from webapp.frontend import DEFAULT_DIST
from webapp.openapi import main, openapi_document

FRONTEND = DEFAULT_DIST.parent


def _type_check(document: dict[str, Any], folder: Path) -> subprocess.CompletedProcess[str]:
    """The Mini App's sources, copied into `folder` beside its installed packages, type-checked against types
    generated from `document`."""
    packages = FRONTEND / "node_modules"
    assert (packages / ".bin" / "vue-tsc").exists(), "install the Mini App's packages first: make frontend"
    for name in ("package.json", "tsconfig.json", "vite.config.ts"):
        shutil.copy(FRONTEND / name, folder / name)
    shutil.copytree(FRONTEND / "src", folder / "src", ignore=shutil.ignore_patterns("schema.d.ts"))
    (folder / "node_modules").symlink_to(packages)
    (folder / "openapi.json").write_text(json.dumps(document))
    generated = subprocess.run(
        ["npm", "run", "--silent", "gen:api"], cwd=folder, capture_output=True, text=True, check=False
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert (folder / "src" / "api" / "schema.d.ts").is_file()
    return subprocess.run(
        ["npm", "run", "--silent", "typecheck"], cwd=folder, capture_output=True, text=True, check=False
    )


async def test_the_types_come_from_the_api_part_of_the_document_served(api: Api, tmp_path: Path) -> None:
    """What is served beside the API (/metrics here, the sandbox in `tsbot run`) is no business of the types."""
    served = (await api.client.get("/api/v1/openapi.json")).json()
    paths = {path: item for path, item in served["paths"].items() if path.startswith("/api/v1/")}
    assert "/api/v1/orders/preview" in paths
    assert openapi_document() == {**served, "paths": paths}
    main([str(tmp_path / "openapi.json")])
    assert json.loads((tmp_path / "openapi.json").read_text()) == openapi_document()


def test_the_mini_app_type_checks_against_the_api_as_it_is(tmp_path: Path) -> None:
    checked = _type_check(openapi_document(), tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_field_the_mini_app_reads_renamed_in_the_api_fails_the_type_check(tmp_path: Path) -> None:
    document = copy.deepcopy(openapi_document())
    portfolio = document["components"]["schemas"]["PortfolioOut"]
    portfolio["properties"]["net_worth"] = portfolio["properties"].pop("equity")
    portfolio["required"] = ["net_worth" if name == "equity" else name for name in portfolio["required"]]
    checked = _type_check(document, tmp_path)
    assert checked.returncode != 0
    assert "PortfolioView.vue" in checked.stdout and "'equity'" in checked.stdout, checked.stdout
