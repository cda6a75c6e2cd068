# The course's two commands are `make lab` and `make test`; everything else is optional.
# Both create the virtual environment in .venv on first use and reinstall only when
# pyproject.toml changes, so a second run starts at once.

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8888
BIN    := $(VENV)/bin
FIRST_NOTEBOOK := notebooks/00_welcome.ipynb
# pytest workers; the notebooks are distributed by file so each runs in one kernel.
JOBS   ?= 2

# JupyterLab refuses to run as root unless told; containers and CI machines run as root.
ALLOW_ROOT := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: help lab test test-lib test-notebooks bench reference-data clean venv venv-test bytecode

help:
	@echo "make lab    - install (first time) and open the course in JupyterLab (PORT=$(PORT))"
	@echo "make test   - install the test extra and run the whole test suite, notebooks included"
	@echo "make bench  - run the benchmarks and write benchmarks/results.json"
	@echo "make test-browser - open and run every notebook in JupyterLab in Chromium (installs Chromium if root)"
	@echo "make reference-data - regenerate tests/data/*.npz from torch.optim (needs torch)"
	@echo "make exercises - regenerate exercises/student, solutions and autograder zips from exercises/source"
	@echo "make grade SUBMISSIONS=dir - grade dir/<student>/<NN_topic>.ipynb into grades.csv (TIMEOUT=120 s, JOBS=2)"
	@echo "make clean  - remove the virtual environment and caches"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed, found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# The `fast` extra (Numba, for optim.adam_update_inplace's compiled engine) is optional: where it cannot be
# installed (no wheel for this Python yet), its tests are skipped and the NumPy engine is tested alone.
$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@$(BIN)/python -m pip install --quiet -e '.[fast]' || \
		echo "Numba could not be installed: the tests of its engine will be skipped, and make bench times the NumPy engine alone"
	@touch $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

# course_lib is installed editable, so its bytecode is written on first import -- unless
# PYTHONDONTWRITEBYTECODE is set (as on many CI machines), when every kernel would compile it
# again (~0.2 s per notebook). Compiling it up front costs a fraction of a second.
bytecode: | $(BIN)/python
	@$(BIN)/python -m compileall -q course_lib

lab: venv bytecode
	@test -f $(FIRST_NOTEBOOK) && target=$(FIRST_NOTEBOOK) || target=notebooks; \
	echo "Opening JupyterLab on $$target at http://localhost:$(PORT)/ (Ctrl-C to stop)"; \
	$(BIN)/jupyter lab --port=$(PORT) $(ALLOW_ROOT) $$target

test: venv-test bytecode
	MPLBACKEND=Agg $(BIN)/python -m pytest -n $(JOBS) --dist loadfile \
		--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env \
		tests notebooks

test-lib: venv-test
	MPLBACKEND=Agg $(BIN)/python -m pytest -n $(JOBS) tests

test-notebooks: venv-test bytecode
	MPLBACKEND=Agg $(BIN)/python -m pytest -n $(JOBS) --dist loadfile \
		--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env notebooks

bench: venv-test bytecode
	MPLBACKEND=Agg $(BIN)/python -m benchmarks

reference-data: venv-test
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python tests/torch_reference.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# --- Browser tests: the course in a real JupyterLab in headless Chromium (tests/browser) -----------------
# Playwright drives Debian's Chromium (CHROMIUM=...); it never downloads a browser of its own.
CHROMIUM ?= /usr/bin/chromium
# RECORD=1: merge the measurements into benchmarks/results.json (else .browser-artifacts/results.json).
RECORD   ?=

.PHONY: test-browser venv-browser chromium

$(VENV)/.installed-browser: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,browser]'
	@touch $@

venv-browser: $(VENV)/.installed-browser

chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing Chromium with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is needed at $(CHROMIUM) for the browser tests: install it (sudo apt-get install chromium)"; \
		echo "or point to an existing one: make test-browser CHROMIUM=/path/to/chromium"; exit 1; \
	fi; \
	test -x "$(CHROMIUM)" || { echo "Chromium is still missing at $(CHROMIUM)"; exit 1; }

test-browser: venv-browser chromium bytecode
	@mkdir -p .browser-artifacts
	COURSE_BROWSER_TESTS=1 COURSE_BROWSER_RECORD=$(RECORD) CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -p no:cacheprovider -v --durations=5 \
		tests/browser

# --- Exercises: otter-grader masters -> student/solution notebooks, autograder zips, gradebook ----------
SUBMISSIONS ?=
GRADES      ?= grades.csv
TIMEOUT     ?= 120

.PHONY: exercises grade grade-args

exercises: venv
	$(BIN)/python -m course_lib.exercises

grade-args:
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir [GRADES=grades.csv] [TIMEOUT=120] [JOBS=2]"; exit 2; }

grade: grade-args venv
	$(BIN)/python -m course_lib.grade "$(SUBMISSIONS)" --out "$(GRADES)" --timeout $(TIMEOUT) --jobs $(JOBS)
