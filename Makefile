# The two commands: `make run` and `make test`. Both install what is missing into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The machine's pip find-links folder (a local CPU build of torch lives there); uv does not read pip's config.
FIND_LINKS ?= $(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null || echo "$$PIP_FIND_LINKS")
# Without a local torch wheel, take the CPU build from PyTorch's own index instead of CUDA's several GB.
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
HAS_LOCAL_TORCH := $(if $(FIND_LINKS),$(wildcard $(FIND_LINKS)/torch-*cpu*.whl))
UV_SOURCES := $(if $(FIND_LINKS),--find-links $(FIND_LINKS)) \
	$(if $(HAS_LOCAL_TORCH),,--extra-index-url $(TORCH_CPU_INDEX) --index-strategy unsafe-best-match)
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9
TORCH := $(shell grep -o '"torch==[^"]*' pyproject.toml | tr -d '"')

.PHONY: run test lint lint-frontend typecheck unit install lock migrate bench clean frontend chromium nginx prometheus wrk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install -q uv==$(UV_VERSION)

# Everything at the versions uv.lock pins (the ones CI tested), installed without resolving again. torch is the
# one exception: the lock cannot name a CPU build that installs everywhere, so it comes apart, at the version
# pyproject.toml pins, from the machine's find-links folder or PyTorch's CPU index; its own dependencies are in
# the lock. Refresh the lock after changing dependencies: `make lock`.
$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv export -q --frozen --extra dev --no-emit-project --no-emit-package torch -o $(VENV)/locked.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -r $(VENV)/locked.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps $(UV_SOURCES) '$(TORCH)'
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

lock: | $(BIN)/uv
	$(BIN)/uv lock $(if $(FIND_LINKS),--find-links $(FIND_LINKS))

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/tsbot db upgrade

# The Mini App: npm packages exactly as the lockfile has them (`npm ci`, which never rewrites it; the lockfile
# lists rollup's optional build for every platform, as npm needs), then a Vite build whenever a source is newer.
# The build generates its API types (src/api/schema.d.ts) from the API's OpenAPI document, written by Python.
FRONTEND := webapp/frontend
API_DOCUMENT := $(FRONTEND)/openapi.json
FRONTEND_SOURCES := $(filter-out %/schema.d.ts,$(wildcard $(FRONTEND)/src/*.* $(FRONTEND)/src/*/*.*)) \
	$(FRONTEND)/index.html $(FRONTEND)/vite.config.ts $(FRONTEND)/tsconfig.json

$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error

$(API_DOCUMENT): $(STAMP) $(wildcard webapp/*.py webapp/controllers/*.py trading/domain/*.py)
	$(BIN)/python -m webapp.openapi $@

$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.package-lock.json $(API_DOCUMENT) $(FRONTEND_SOURCES)
	cd $(FRONTEND) && npm run build --silent

frontend: $(FRONTEND)/dist/index.html

# ESLint (Vue's and typescript-eslint's type-checked configs) over the Mini App, on the types the build made.
lint-frontend: frontend
	cd $(FRONTEND) && npm run lint --silent

# Debian's Chromium for the Mini App's browser test (Playwright cannot download browsers here).
chromium:
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx for the production topology's test (tests/deploy), which is skipped where it cannot be installed.
nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; } \
		|| echo "nginx could not be installed: tests/deploy will be skipped" >&2

# Debian's Prometheus (and its promtool) for the metrics' test and the alert rules' (tests/deploy/test_prometheus.py),
# which are skipped where it cannot be installed.
prometheus:
	@command -v prometheus >/dev/null || [ -x /usr/bin/prometheus ] || { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } \
		|| echo "prometheus could not be installed: tests/deploy/test_prometheus.py will be skipped" >&2

# Debian's wrk, the load tool of bench/soak.py (the production topology under load).
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk could not be installed: bench/soak.py needs it" >&2

run: migrate frontend
	$(BIN)/tsbot run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) frontend chromium nginx prometheus
	$(BIN)/pytest $(PYTEST_ARGS)

# PostgreSQL joins the suite when TSBOT_TEST_POSTGRES=1 (as .ci/run sets it).
test: lint lint-frontend typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench.order_path

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .import_linter_cache
