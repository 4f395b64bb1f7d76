# Radar: `make demo` runs the offline demo, `make test` the whole suite. Both start from nothing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/radar ingest --config demo/radar.toml
	$(BIN)/radar index
	$(BIN)/radar search "diffusion models for MRI segmentation" -k 5
	$(BIN)/radar search "quantum error correction" --field Physics -k 3
	$(BIN)/radar related arxiv:2411.18568 -k 6
	$(BIN)/radar digest ml-for-biology --config demo/radar.toml --date 2024-11-28 -k 5
	$(BIN)/radar mail ml-for-biology --config demo/radar.toml --date 2024-11-28 -k 5 --dry-run
	$(BIN)/radar brief "protein design with deep generative models"

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/ingest_throughput.py

clean:
	rm -rf $(VENV) .radar .pytest_cache .hypothesis
