# Two commands on a fresh machine:  make demo  and  make test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.noomarketing-installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test docs lint bench clean

install: $(STAMP)

# torch first, at its pin in constraints.txt: it takes the CPU wheel already on the machine
# instead of pulling gigabytes of CUDA packages; constraints.txt pins everything else too.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt torch
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev,fast,dask,docs]"
	$(BIN)/noomarketing warmup  # int8 ONNX model + UMAP's compiled code, into the venv
	@touch $@

# The whole method on the bundled example shop: feedback, offer catalogue and purchases.
DATA := src/noomarketing/data
demo: $(STAMP)
	$(BIN)/noomarketing run $(DATA)/example_feedback.csv \
		--text text --customer customer_id --time created_at --rating rating --id feedback_id \
		--offers $(DATA)/example_offers.csv --activity $(DATA)/example_activity.csv \
		--budget 150 --control 0.1 --out demo-out --no-progress --report
	@echo "open demo-out/report.html in a browser"

# The test suite, then the documentation (a docs warning fails the build).
test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(MAKE) docs

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

bench: $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[bench]"

clean:
	rm -rf $(VENV) demo-out site .pytest_cache
