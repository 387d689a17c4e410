# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed (idempotent and quick on re-runs).
$(STAMP): $(PY) requirements/base.txt requirements/dev.txt
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(PY) -m mangaassist.launcher

# The whole suite on SQLite, then again on a throwaway PostgreSQL server (see tests/run.py).
test: venv
	$(PY) tests/run.py $(ARGS)

clean:
	rm -rf $(VENV) var
