# srcverify developer tasks. On a fresh clone two commands do all the set-up:
#   make demo   creates .venv, installs srcverify, verifies real python.org releases offline
#   make test   installs what the tests need into .venv, then runs them
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.srcverify-runtime
DEV := $(VENV)/.srcverify-dev
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install test lint bench maps fuzz demo clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# srcverify and its runtime dependencies only (cryptography, PyYAML, tuf).
$(RUNTIME): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

# Plus the test, lint and oracle extras; redone when pyproject.toml changes.
$(DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,lint,oracle]'
	touch $@ $(RUNTIME)

install: $(DEV)

test: $(DEV)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(PY) -m ruff format --check src tests bench
	$(PY) -m ruff check src tests bench
	$(PY) -m mypy --strict src

# the compiled shipped release maps (maps/NAME.json), after any edit of maps/NAME.yaml
maps: $(RUNTIME)
	$(PY) -m srcverify.releasemap.compiled

# Each parser's fuzz target under atheris for FUZZ_SECONDS (default 60) each; findings in .fuzz/crashes/.
FUZZ_SECONDS ?= 60
FUZZ_SEED ?= 0
fuzz: $(DEV)
	$(PY) -m pip install --quiet -e '.[fuzz]'
	$(PY) -m tests.fuzz.run --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) $(FUZZ_TARGETS)

# figures, not tests: an installed, byte-compiled srcverify and the peers, in build/bench
BENCH_DIR ?= build/bench
bench: $(DEV)
	$(PY) bench/setup_env.py $(BENCH_DIR)
	$(BENCH_DIR)/venv/bin/python bench/bench.py --env $(BENCH_DIR) $(BENCH_ARGS)

# Each examples/ bundle verified by python.org's digest (examples/SHA256SUMS), with the
# shipped map and TUF-pinned trust root, in a private network namespace where allowed.
demo: $(RUNTIME)
	@offline=""; \
	if unshare -n true 2>/dev/null; then offline="unshare -n"; \
	elif unshare -rn true 2>/dev/null; then offline="unshare -rn"; fi; \
	echo "verifying examples/ by digest$${offline:+ with no network ($$offline)}:"; \
	while read -r digest name; do \
		$$offline $(VENV)/bin/srcverify verify --digest "sha256:$$digest" \
			--bundle "examples/$$name.sigstore" "$$name" || exit $$?; \
	done < examples/SHA256SUMS

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .fuzz
