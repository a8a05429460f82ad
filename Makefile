# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CW := $(VENV)/bin/castwright
STAMP_CORE := $(VENV)/.installed-core
STAMP_DEV := $(VENV)/.installed-dev
TEST_ARGS ?=
JOBS ?= 2

.PHONY: demo test lint bench clean install dev

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP_CORE): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

# Dev installs the optional engines, QA models and Ray too, so their tests run (never skipped).
$(STAMP_DEV): pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev,coqui,qa,cluster]'
	touch $(STAMP_CORE) $@

install: $(STAMP_CORE)
dev: $(STAMP_DEV)

demo: $(STAMP_CORE)
	$(CW) render scripts/the-lighthouse-keeper.txt --out output --jobs $(JOBS)
	$(CW) publish --out output

test: $(STAMP_DEV)
	$(VENV)/bin/ruff check pipeline tests benchmarks
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q $(TEST_ARGS)

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check pipeline tests benchmarks

bench: $(STAMP_DEV)
	$(PY) -m benchmarks.run_all

clean:
	rm -rf output/ .pytest_cache
