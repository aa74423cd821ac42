# srcverify developer tasks. `make install` once, then `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test lint bench maps clean

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

bench: $(PY)
	$(PY) bench/bench.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
