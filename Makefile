# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# checkov pins an older boto3 than the project: it lives in a virtualenv of its own.
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
EXPANDED      := build/checkov/template.json

.PHONY: demo test lint typecheck cfn-lint checkov unit clean screenshot

$(STAMP): pyproject.toml functions/common/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r functions/common/requirements.txt -e ".[dev]"
	touch $(STAMP)

$(CHECKOV_STAMP): tools/checkov-requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r tools/checkov-requirements.txt
	touch $(CHECKOV_STAMP)

demo: $(STAMP)
	$(BIN)/drift-healer demo

# Four workers on two cores: most tests wait on clocks and local servers, not on the CPU.
test: $(STAMP) lint typecheck cfn-lint checkov
	$(BIN)/pytest -n 4

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy functions/common/drift_common functions/drift_healer/healer functions/fleet/fleet \
	  functions/relay/relay functions/approval_page/approval_page sandbox drift_healer_cli

cfn-lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml templates/target-account.yaml

# Scans what CloudFormation deploys (the SAM transform expanded), offline: no Prisma Cloud
# download, no SCA. Any failed check fails the target; suppressions live in template.yaml,
# each with its reason.
checkov: $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/python tools/expand_template.py template.yaml $(EXPANDED)
	BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false \
	  $(CHECKOV_VENV)/bin/checkov --file $(EXPANDED) --framework cloudformation \
	  --skip-download --quiet --compact
	BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false \
	  $(CHECKOV_VENV)/bin/checkov --file templates/target-account.yaml --framework cloudformation \
	  --skip-download --quiet --compact

# docs/approval-page.png and docs/report.png, taken by the browser tests (headless Chromium).
screenshot: $(STAMP)
	UPDATE_SCREENSHOT=1 $(BIN)/pytest tests/e2e/approval/test_browser.py tests/e2e/report/test_browser.py -q

unit: $(STAMP)
	$(BIN)/pytest tests/unit

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) build/checkov .mypy_cache .ruff_cache .pytest_cache .sandbox
