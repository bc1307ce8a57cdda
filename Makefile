# One entry point. Every target creates its own virtual environment (.venv) if missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# A pinned CPU torch: a bare `pip install torch` may pull a multi-GB CUDA build.
TORCH := torch==2.13.0
WORKERS ?= auto

.PHONY: demo test lint bench docs clean gpu-check

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q $(TORCH)
	touch $@

$(VENV)/.runtime: $(VENV)/.created pyproject.toml
	$(PIP) install -q -e ".[demo]"
	touch $@

$(VENV)/.test: $(VENV)/.created pyproject.toml
	$(PIP) install -q $(TORCH) -e ".[test,docs,plot,lint]"
	touch $@

demo: $(VENV)/.runtime
	$(PY) demo.py

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: $(VENV)/.test lint
	$(PY) -m pytest -n $(WORKERS) -q

bench: $(VENV)/.test
	$(PY) benchmarks/run.py

# On a machine with an NVIDIA GPU and a CUDA build of torch: the device subset of the law
# suite and the quick benchmarks on cuda (under 8 minutes); says why and exits 2 without one.
gpu-check: $(VENV)/.test
	$(PY) tests/gpu_check.py

docs: $(VENV)/.test
	$(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) site .pytest_cache .ruff_cache .hypothesis
