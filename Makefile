# dynapse-edu: two commands on a fresh machine.
#   make test   creates .venv, installs everything, runs every test
#   make demo   runs the part-1 experiment and writes build/part1.png
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test demo lint bench spice-report assignments clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/python -m dynapse_edu.demo --out build/part1.png

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/part1.py

# transistor level vs behaviour: every measured figure, a PNG, exit 1 if a target is missed
spice-report: $(STAMP)
	$(BIN)/python benchmarks/spice_report.py --out build/spice_report.png

# student and instructor versions of every assignment, each instructor version run top to bottom
assignments: $(STAMP)
	$(BIN)/python -m dynapse_edu.assign generate book/assignments --out build/assignments --execute

clean:
	rm -rf $(VENV) build _build .pytest_cache
