# takeoff: an executable lesson in Rust. `make render` and `make test` are all a reader needs;
# everything they need is installed here, on first use.

SHELL := /bin/bash
ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
CARGO_BIN := $(HOME)/.cargo/bin
EVCXR := $(CARGO_BIN)/evcxr_jupyter
EVCXR_VERSION := 0.22.0
KERNEL := $(VENV)/share/jupyter/kernels/rust/kernel.json
VENV_STAMP := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)
TEST_STAMP := $(VENV)/.test-installed-$(shell sha256sum requirements-test.txt | cut -c1-12)
CHROMIUM := /usr/bin/chromium

# One evcxr build folder for rendering and tests (run one after another), one for JupyterLab.
export EVCXR_TMPDIR ?= $(ROOT)/target/evcxr
export PATH := $(CARGO_BIN):$(PATH)
PROFILE ?= default

.PHONY: setup git-filter test-setup render pdf test lab lab-build test-lab strip

setup: $(EVCXR) $(VENV_STAMP) $(KERNEL) git-filter
	@echo "setup: ready (evcxr_jupyter $(EVCXR_VERSION), Python venv .venv, kernel 'rust')"

# Notebook outputs never reach a commit: git runs nbstripout on every staged notebook (the
# filter lives in this clone's .git/config and .git/info/attributes; the files on disk keep
# their outputs). Skipped outside a git clone.
git-filter: $(VENV_STAMP)
	@if git -C $(ROOT) rev-parse --git-dir >/dev/null 2>&1; then \
		git -C $(ROOT) config --get filter.nbstripout.clean >/dev/null || \
		{ cd $(ROOT) && $(VENV)/bin/nbstripout --install && echo "setup: git strips notebook outputs on commit (nbstripout filter)"; }; \
	fi

$(EVCXR):
	@echo "setup: installing evcxr_jupyter $(EVCXR_VERSION) with cargo (about 5-7 minutes on 2 cores, once)"
	@# from /, so the project's .cargo/config.toml (its linfa patches) stays out of this build
	cd / && cargo install --locked evcxr_jupyter --version $(EVCXR_VERSION)

$(VENV_STAMP): requirements.txt
	@echo "setup: creating the Python venv .venv with the pinned packages of requirements.txt"
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

$(KERNEL): $(EVCXR) $(VENV_STAMP) scripts/register_kernel.py
	@echo "setup: registering the evcxr kernel 'rust' inside .venv"
	$(PY) scripts/register_kernel.py "$(EVCXR)" "$(dir $(KERNEL))"

# What `make test` needs besides `setup`: Debian's Chromium with CJK fonts (for the browser
# check of the rendered pages) and the Python driver for it.
test-setup: setup $(TEST_STAMP) $(CHROMIUM)

$(TEST_STAMP): requirements-test.txt $(VENV_STAMP)
	@echo "setup: installing the browser-check driver (requirements-test.txt) into .venv"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@rm -f $(VENV)/.test-installed-* && touch $@

$(CHROMIUM):
	@echo "setup: installing Debian's chromium and fonts-noto-cjk for the browser check"
	@if [ "$$(id -u)" != 0 ]; then echo "setup: needs root to apt-get install chromium fonts-noto-cjk; run that once as root" >&2; exit 1; fi
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null

# The whole lesson as static HTML in site/ (default profile; PROFILE=quick or full to change).
# NOTEBOOK=notebooks/01-data-scale.ipynb renders that chapter alone; the other pages stay.
# A notebook whose inputs (cells, crate, data, profile, kernel, machine) did not change since the
# last render keeps its page without running; FRESH=1 runs every notebook again.
# When the browser of `make test` is installed, it also prints the lesson to site/lesson.zh.pdf
# and site/lesson.en.pdf.
render: setup
	TAKEOFF_PROFILE=$(PROFILE) $(PY) scripts/render.py --profile $(PROFILE) --site site $(if $(FRESH),--rerun) $(NOTEBOOK)
	@if [ -x $(CHROMIUM) ] && [ -f $(TEST_STAMP) ]; then $(PY) scripts/pdf.py site; \
	else echo "render: no PDF yet (make pdf installs headless Chromium and prints site/lesson.zh.pdf and site/lesson.en.pdf)"; fi

# The rendered lesson as one PDF per language (a handout), printed by headless Chromium.
pdf: test-setup
	$(PY) scripts/pdf.py site

# Everything CI checks: format, lints, unit tests (the crate's and the patched linfa crates'), committed notebooks stripped, the renderer's
# fault tests, every notebook executed twice in the quick profile (outputs checked for errors, and
# the same both times apart from timing cells), and every page checked in headless Chromium.
test: test-setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test
	CARGO_TARGET_DIR=$(ROOT)/target/patches cargo test --manifest-path patches/linfa-kernel/Cargo.toml
	CARGO_TARGET_DIR=$(ROOT)/target/patches cargo test --manifest-path patches/linfa-logistic/Cargo.toml
	$(PY) scripts/check_stripped.py notebooks/*.ipynb
	$(PY) -m unittest discover -s scripts -p 'test_*.py' -v
	TAKEOFF_PROFILE=quick $(PY) scripts/render.py --profile quick --site target/site-quick --rerun
	rm -rf target/site-quick-first && cp -r target/site-quick target/site-quick-first
	TAKEOFF_PROFILE=quick $(PY) scripts/render.py --profile quick --site target/site-quick --rerun
	$(PY) scripts/compare_renders.py target/site-quick-first/notebooks target/site-quick/notebooks
	$(PY) scripts/browser_check.py target/site-quick

# JupyterLab on notebooks/ with the kernel ready. Its evcxr build folder is its own (a render
# and JupyterLab never write one build at once), started as a copy of the render's when that is
# newer, so the first cell compiles only what changed.
# JupyterLab's settings for the lesson (no news pop-up, no update check: nothing from the network),
# as overrides in the virtual environment's JupyterLab, where `jupyter lab` reads them.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): scripts/lab-overrides.json $(VENV_STAMP)
	@mkdir -p $(dir $@) && cp $< $@

lab-build: setup $(LAB_OVERRIDES)
	@if [ -d $(ROOT)/target/evcxr/target ] && [ ! $(ROOT)/target/evcxr-lab/target -nt $(ROOT)/target/evcxr/target ]; then \
		echo "lab: copying the render's compiled dependencies (target/evcxr -> target/evcxr-lab)"; \
		rm -rf $(ROOT)/target/evcxr-lab && cp -a $(ROOT)/target/evcxr $(ROOT)/target/evcxr-lab; \
	fi

lab: lab-build
	EVCXR_TMPDIR=$(ROOT)/target/evcxr-lab $(VENV)/bin/jupyter lab --notebook-dir=notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root)

# JupyterLab driven headlessly: chapters 0 and 3 opened, Run All clicked as soon as each shows
# (the kernel still starting), every cell run, every chart drawn, git clean after a save.
# Minutes, so not part of `make test`.
test-lab: test-setup lab-build
	$(PY) scripts/lab_check.py

# Removes outputs from the notebooks before a commit.
strip: setup
	$(VENV)/bin/nbstripout notebooks/*.ipynb
