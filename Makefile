# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck cfn-lint unit clean

$(STAMP): pyproject.toml functions/drift_healer/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r functions/drift_healer/requirements.txt -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/drift-healer demo

test: $(STAMP) lint typecheck cfn-lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy functions/drift_healer/app.py functions/drift_healer/healer sandbox drift_healer_cli

cfn-lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml

unit: $(STAMP)
	$(BIN)/pytest tests/unit

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .sandbox
