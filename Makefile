# Two entry points for people (run, test) and a few for maintainers (bench, stress).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The compiled core (Cython, extractors/compiled.py) and its native kernels: rebuilt when an extractor source changes.
CORE := extractors/_compiled.json
CLAIMS := data/claims.parquet
PORT ?= 8501
# The table is rebuilt when any article, rule or extractor file is newer than it.
EXTRACT_INPUTS := $(shell find data/articles extractors -type f \( -name '*.txt' -o -name '*.md' -o -name '*.yaml' -o -name '*.py' \) 2>/dev/null)

.PHONY: install run test eval bench bench-ab bench-dashboard stress extract clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,build]'
	touch $(STAMP)

# The native kernels (extractors/native/) need PCRE2's headers: taken from Debian when missing, if this is root.
$(CORE): $(STAMP) $(shell find extractors -name '*.py' -o -name '*.pyx' -o -name '*.pxd' 2>/dev/null)
	@[ -f /usr/include/pcre2.h ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -qq libpcre2-dev >/dev/null 2>&1 || \
		  { apt-get update -qq && apt-get install -y -qq libpcre2-dev >/dev/null; }; }; } || \
		echo "make: PCRE2's headers (Debian: libpcre2-dev) are missing; the core runs without its native kernels"
	$(BIN)/cloudclaims core build

install: $(CORE)

$(CLAIMS): $(CORE) $(EXTRACT_INPUTS)
	$(BIN)/cloudclaims extract data/articles --out $(CLAIMS)

extract: $(CLAIMS)

run: $(CLAIMS)
	$(BIN)/streamlit run dashboard/app.py --server.headless true --server.address 127.0.0.1 \
		--server.port $(PORT) --browser.gatherUsageStats false

test: $(CORE)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# Extraction throughput beside OpenCC, a one-regex floor and jionlp; scaling, cache, memory (BENCH_ARGS="-n 2000").
bench: $(CORE)
	$(BIN)/python -c "import jionlp" >/dev/null 2>&1 || $(BIN)/python -m pip install -q -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

# Time to first render of the dashboard's Trends page and of a filter change, on 1,000,000 synthetic claims.
bench-dashboard: $(STAMP)
	$(BIN)/python bench/dashboard_bench.py

# The extraction core of a commit against the working tree, per core (CPU time), runs alternating: REV=dcc1778.
REV ?= HEAD~1
bench-ab: $(CORE)
	$(BIN)/python bench/core_ab.py $(REV) $(AB_ARGS)

# Hostile files and concurrent reviewers, longer than `make test` can afford (issue 4); STRESS_ARGS to tune.
stress: $(CORE)
	$(BIN)/python bench/stress.py $(STRESS_ARGS)

clean:
	rm -rf $(VENV) data/claims*.parquet data/cache tests/artifacts build $(CORE)
	find extractors -name '*.so' -delete

# Accuracy: the bundled gold, the project's own held-out articles, and the labelled dev set beside the
# repo (../shared/devset, third parties' texts: read in place, never copied).
DEVSET ?= ../shared/devset
eval: $(CORE)
	$(BIN)/cloudclaims eval tests/gold.yaml data/articles --brief
	$(BIN)/cloudclaims eval tests/heldout/gold.yaml tests/heldout/docs --brief
	$(BIN)/cloudclaims eval $(DEVSET)/gold.yaml $(DEVSET)/docs
