# srcverify developer tasks. `make install` once, then `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test lint bench maps fuzz clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e '.[test,lint,oracle]'

test: $(PY)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(PY)
	$(PY) -m ruff format --check src tests bench
	$(PY) -m ruff check src tests bench
	$(PY) -m mypy --strict src

# the compiled shipped release maps (maps/NAME.json), after any edit of maps/NAME.yaml
maps: $(PY)
	$(PY) -m srcverify.releasemap.compiled

# Each parser's fuzz target under atheris for FUZZ_SECONDS (default 60) each; findings in .fuzz/crashes/.
FUZZ_SECONDS ?= 60
fuzz: $(PY)
	$(PY) -m pip install --quiet -e '.[fuzz]'
	$(PY) -m tests.fuzz.run --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# figures, not tests: an installed, byte-compiled srcverify and the peers, in build/bench
BENCH_DIR ?= build/bench
bench: $(PY)
	$(PY) bench/setup_env.py $(BENCH_DIR)
	$(BENCH_DIR)/venv/bin/python bench/bench.py --env $(BENCH_DIR) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .fuzz
