# The book and its tests. Every target first makes sure .venv matches requirements.txt.
#   make book   build the site into _build/html (every chapter executed; any error fails)
#   make test   pytest tests/, then every chapter under nbval (on every core)
#   make bench  snncore against Brian 2
#   make site-check  the built site in headless Chromium, offline (builds it if missing)
#   make compat Brian 2's example scripts on snncore and on Brian 2 (not part of make test)
#   make lab    JupyterLab on book/, .md chapters open as notebooks
#   make lint   ruff
#   make clean  remove build outputs (keeps .venv)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test site-check bench compat lab lab-check lint clean

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
	$(BIN)/python -m pytest -n auto --dist loadfile tests/ || status=1; \
	$(BIN)/python tests/notebooks.py || status=1; \
	exit $$status

# Every page of _build/html served on 127.0.0.1 and opened from the folder in headless
# Chromium (Debian's package) with requests outside the site blocked; screenshots in
# _build/site-check/. Installs chromium with apt-get when run as root.
site-check: $(STAMP)
	@test -f _build/html/index.html || $(MAKE) book
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 && command -v apt-get >/dev/null \
	    && { apt-get install -y -q chromium || { apt-get update -q \
	    && apt-get install -y -q chromium; }; }; } || { echo "make site-check needs" \
	    "Chromium: sudo apt-get install -y chromium (Debian/Ubuntu)"; exit 2; }
	$(BIN)/python -m pytest -q tests/browser/test_site_check.py
	$(BIN)/python tests/browser/site_check.py --browser "$$(command -v chromium)"

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

# Every chapter's sliders moved in JupyterLab in headless Chromium (Debian's chromium;
# not part of make test).
lab-check: $(STAMP)
	$(BIN)/python tests/browser/lab_widgets.py

lint: $(STAMP)
	$(BIN)/ruff check snncore tests benchmarks

clean:
	rm -rf _build .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
