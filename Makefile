# dynapse-edu: two commands on a fresh machine.
#   make book   creates .venv, installs everything, builds the course into _build/html/index.html
#   make test   creates .venv, installs everything, runs every test (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test demo lint bench bench-fast bench-widgets spice-report assignments clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	$(BIN)/python -m dynapse_edu.engines.fast   # compile the fast engine once (about 20 s), cached on disk
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build -W -n --keep-going .
	@echo "The course is built: open _build/html/index.html (or serve it: python3 -m http.server -d _build/html)"

# lint, the layers' import contract, stored notebooks clean, the book builds warning-free (the browser
# test reads it), the library tests, then every chapter re-executed and validated by nbval
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python book/clean_notebooks.py --check
	$(BIN)/jupyter-book build -W -n --keep-going .
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbval-lax --nbval-sanitize-with book/sanitize.cfg book/ --ignore=book/assignments -p no:cacheprovider

demo: $(STAMP)
	$(BIN)/python -m dynapse_edu.course.demo --out build/part1.png

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/reference_integrator.py

# the fast engine: a full chip (1024 neurons) and a 4-chip board, with accuracy checks against the reference
bench-fast: $(STAMP)
	$(BIN)/python benchmarks/full_chip.py --repeat 3
	$(BIN)/python benchmarks/full_chip.py --chips 4 --repeat 2 --check-core 0 --no-part1

# every widget's update, as a ratio to the part-1 reference run in the same process
bench-widgets: $(STAMP)
	$(BIN)/python benchmarks/widgets.py --repeat 2

# transistor level vs behaviour: every measured figure, a PNG, exit 1 if a target is missed
spice-report: $(STAMP)
	$(BIN)/python benchmarks/spice_report.py --out build/spice_report.png

# student and instructor versions of every assignment, each instructor version run top to bottom
assignments: $(STAMP)
	$(BIN)/python -m dynapse_edu.course.assign generate book/assignments --out build/assignments --execute

clean:
	rm -rf $(VENV) build _build .pytest_cache
