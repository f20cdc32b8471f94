# Two commands for a fresh machine (see README.md):
#   make run   -- set up .venv, load the sample data into the embedded store, start the app
#   make test  -- set up .venv and run every test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JIT    := $(VENV)/.jit-compiled
SURVEY ?= surveys/ecommerce_csi.yaml
SAMPLE ?= sample_data/ecommerce_responses.csv
PORT   ?= 8501
# make run ADDRESS=0.0.0.0 to listen on every network interface
ADDRESS ?= localhost

.PHONY: setup run test test-fast lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[all,test,bench]"
	touch $(STAMP)

# compile the bootstrap kernels once (numba caches them on disk until kernel.py changes)
$(JIT): $(STAMP) csi/estimate/pls/kernel.py csi/estimate/missing/em_kernel.py csi/estimate/missing/em_lockstep.py
	$(PY) -m csi.estimate.pls.jit_warmup
	touch $(JIT)

setup: $(STAMP) $(JIT)

run: setup
	$(VENV)/bin/csi import $(SURVEY) $(SAMPLE)
	$(PY) -m app_pages.serve --server.port $(PORT) --server.address $(ADDRESS)

# two workers for everything but the browser tests, which run alone after them (two servers and
# two Chromiums beside the statistical tests on two cores made their waits time out)
test: setup
	$(PY) -m pytest -n 2 -m "not browser" --durations=25
	$(PY) -m pytest -m browser --durations=5

test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow and not browser"

lint: setup
	$(VENV)/bin/ruff check csi tests app.py app_pages benchmarks

bench: setup
	$(VENV)/bin/csi bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info
