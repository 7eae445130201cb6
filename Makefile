# Clinfile — set-up, run, test and measure.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast bench lint screenshots package clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/clinfile

# Tests that measure the app's own behaviour run first, alone; then the rest in parallel.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m serial $(PYTEST_ARGS); \
	  status=$$?; if [ $$status -ne 0 ] && [ $$status -ne 5 ]; then exit $$status; fi
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto -m 'not serial' $(PYTEST_ARGS); \
	  status=$$?; if [ $$status -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$status

test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto -m 'not slow' $(PYTEST_ARGS)

# `make bench record vault` runs only the benchmarks named after it.
BENCHES := $(filter-out bench,$(MAKECMDGOALS))
ifeq (bench,$(firstword $(MAKECMDGOALS)))
$(BENCHES):
	@:
endif

bench: $(STAMP)
	$(PY) tests/bench/run.py $(BENCHES)

lint: $(STAMP)
	$(PY) -m ruff check src tests

screenshots: $(STAMP)
	PY=$(PY) tools/screenshots.sh

# The one-folder application in dist/NAME-VERSION/: the `clinfile` and `clinfile-desk`
# programs, and under share/ the desktop entry, AppStream metainfo and icons to install.
package: $(STAMP)
	$(PY) -m pip install --quiet -e '.[package]'
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist \
	  --workpath build/pyinstaller packaging/clinfile.spec
	$(PY) packaging/share.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
