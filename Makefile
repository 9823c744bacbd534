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

.PHONY: run test lint typecheck unit install migrate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install -q uv || true

$(STAMP): pyproject.toml | $(BIN)/uv
	@if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install -q --python $(BIN)/python $(UV_SOURCES) -e '.[dev]'; \
	else \
		$(BIN)/python -m pip install -q -e '.[dev]'; \
	fi
	@touch $@

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/tsbot db upgrade

run: migrate
	$(BIN)/tsbot run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# PostgreSQL joins the suite when TSBOT_TEST_POSTGRES=1 (as .ci/run sets it).
test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench.order_path

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache
