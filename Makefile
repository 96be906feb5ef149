# The book and its tests. Every target first makes sure .venv matches requirements.txt.
#   make book   build the site into _build/html (every chapter executed; any error fails)
#   make test   pytest tests/, then every chapter under nbval
#   make bench  snncore against Brian 2
#   make compat Brian 2's example scripts on snncore and on Brian 2 (not part of make test)
#   make lab    JupyterLab on book/, .md chapters open as notebooks
#   make lint   ruff
#   make clean  remove build outputs (keeps .venv)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test bench compat lab lab-check lint clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -r requirements.txt
	$(BIN)/pip install -e . --no-deps
	touch $@

# --all: chapters depend on the engine, which Sphinx cannot see, so always re-execute.
book: $(STAMP)
	$(BIN)/jupyter-book build --all --warningiserror --keep-going .

test: export MPLBACKEND = Agg
test: $(STAMP)
	@status=0; \
	$(BIN)/python -m pytest tests/ || status=1; \
	$(BIN)/python tests/notebooks.py || status=1; \
	exit $$status

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Every in-scope script of Brian 2's examples (../shared/brian2-examples, or set
# BRIAN2_EXAMPLES) in fresh processes on snncore and on Brian 2; writes the table that the
# page book/brian2-code.md includes. Brian 2's runs are cached in _build/compat/: the
# first run takes hours, later ones only re-run snncore.
compat: export MPLBACKEND = Agg
compat: $(STAMP)
	$(BIN)/python tests/compat/run.py

lab: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name snncore --display-name "Python (snncore)"
	$(BIN)/jupytext-config --settings-file \
	    $(VENV)/share/jupyter/lab/settings/overrides.d/jupytext.json \
	    set-default-viewer markdown myst
	$(BIN)/jupyter lab --ServerApp.root_dir=book

# Every chapter's sliders moved in JupyterLab in headless Chromium (needs playwright in
# the venv and Debian's chromium; not part of make test).
lab-check: $(STAMP)
	$(BIN)/python tests/browser/lab_widgets.py

lint: $(STAMP)
	$(BIN)/ruff check snncore tests benchmarks

clean:
	rm -rf _build .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
