# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint venv clean manifest bench screenshot

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) sync.py --demo

test: venv
	$(PY) -m pytest -q -n auto

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) demo-output .pytest_cache

manifest: venv
	$(PY) sync.py --generate-manifest

bench: venv
	$(PY) bench/bench_sync.py
	$(PY) bench/bench_pictures.py
	$(PY) bench/bench_coach.py
	$(PY) bench/bench_compute.py

# Refresh docs/dashboard.png (the README's screenshot) from the browser test.
screenshot: venv
	UPDATE_SCREENSHOT=1 $(PY) -m pytest -q -n 0 tests/test_pictures_browser.py -k test_dashboard
	$(PY) sync.py --generate-manifest
