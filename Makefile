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

# One evcxr build folder for rendering and tests (run one after another), one for JupyterLab.
export EVCXR_TMPDIR ?= $(ROOT)/target/evcxr
export PATH := $(CARGO_BIN):$(PATH)
PROFILE ?= default

.PHONY: setup render test lab check-notebooks strip clean-site bench

setup: $(EVCXR) $(VENV_STAMP) $(KERNEL)
	@echo "setup: ready (evcxr_jupyter $(EVCXR_VERSION), Python venv .venv, kernel 'rust')"

$(EVCXR):
	@echo "setup: installing evcxr_jupyter $(EVCXR_VERSION) with cargo (about 5-7 minutes on 2 cores, once)"
	cargo install --locked evcxr_jupyter --version $(EVCXR_VERSION)

$(VENV_STAMP): requirements.txt
	@echo "setup: creating the Python venv .venv with the pinned packages of requirements.txt"
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

$(KERNEL): $(EVCXR) $(VENV_STAMP)
	@echo "setup: registering the evcxr kernel 'rust' inside .venv"
	$(PY) scripts/register_kernel.py "$(EVCXR)" "$(dir $(KERNEL))"

# The whole lesson as static HTML in site/ (default profile; PROFILE=quick or full to change).
render: setup
	TAKEOFF_PROFILE=$(PROFILE) $(PY) scripts/render.py --profile $(PROFILE) --site site

# Everything CI checks: format, lints, unit tests, committed notebooks stripped, every notebook
# executed in the quick profile with its outputs checked, and the failure checks of the renderer.
test: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test
	$(PY) scripts/check_stripped.py notebooks/*.ipynb
	$(PY) -m unittest discover -s scripts -p 'test_*.py' -v
	TAKEOFF_PROFILE=quick $(PY) scripts/render.py --profile quick --site target/site-quick

# JupyterLab on notebooks/ with the kernel ready (its own evcxr build folder).
lab: setup
	EVCXR_TMPDIR=$(ROOT)/target/evcxr-lab $(VENV)/bin/jupyter lab --notebook-dir=notebooks

# Removes outputs from the notebooks before a commit.
strip: setup
	$(VENV)/bin/nbstripout notebooks/*.ipynb
