# fer_nb: `make demo` sets up and runs the main job; `make test` sets up and runs every check CI runs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FER2013_CSV ?= $(abspath $(firstword $(wildcard fer2013.csv fer2013.csv.gz emotional_dataset.csv emotional_dataset.csv.gz ../shared/data/fer2013.csv.gz)))
export FER_NB_CACHE ?= $(CURDIR)/.cache
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup demo test test-fast ci check-clean check-cards nbtest docs docs-check pytest bench train clean

# uv installs the same releases as pip, several times faster (it does not byte-compile them all); pip is the fallback.
$(BIN)/fer-nb: settings.ini setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip install -q --python $(BIN)/python -e ".[dev]" || $(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: $(BIN)/fer-nb

# The main job: summarise the data, evaluate the shipped model on PrivateTest, predict on a real photo.
demo: setup
	@test -n "$(FER2013_CSV)" || { echo "FER2013 not found: put fer2013.csv here or set FER2013_CSV"; exit 1; }
	$(BIN)/fer-nb data --data "$(FER2013_CSV)" --plots out/data
	$(BIN)/fer-nb evaluate --data "$(FER2013_CSV)" --out out/evaluate
	$(BIN)/python -c "from skimage import data; from PIL import Image; Image.fromarray(data.astronaut()).save('out/astronaut.png')"
	$(BIN)/fer-nb predict out/astronaut.png --annotate out/predict

# Every check CI runs: notebooks clean and in sync with the library, notebook tests, docs site and README, then pytest.
test: setup check-clean nbtest docs-check pytest

# The fast tier, for every edit (<= 90 s): notebooks clean and exported, then the tests that need neither the real FER2013
# file nor minutes (generated data, shipped photos, the reference CNN and the default model); `make test` is the full CI.
test-fast: setup check-clean
	env -u FER2013_CSV -u CI $(BIN)/python -m pytest tests/ -m "not slow and not realdata" -n 2 -p no:cacheprovider -W ignore::DeprecationWarning --durations=5 -q

# CI as it runs: `bash .ci/run` in a fresh clone of HEAD, in a temporary folder with ../shared beside it, removed
# afterwards (each clone holds a 4.5 GB venv; left behind, a few of them fill the disk CI needs).
ci:
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && git clone -q . "$$d/main" && ln -s "$(abspath ../shared)" "$$d/shared" && \
	  cd "$$d/main" && env -u FER_NB_CACHE -u FER2013_CSV -u VIRTUAL_ENV -u MAKEFLAGS -u MAKELEVEL \
	    PATH="$$(tr : '\n' <<< "$$PATH" | grep -v '/\.venv/bin$$' | paste -sd:)" bash .ci/run

check-clean: setup
	@for cmd in nbdev_clean nbdev_export; do \
	  before="$$(git status --porcelain --untracked-files=all; git diff)"; \
	  $(BIN)/$$cmd; \
	  after="$$(git status --porcelain --untracked-files=all; git diff)"; \
	  [ "$$before" == "$$after" ] || { echo "$$cmd changed the tree: notebooks and fer_nb/ disagree; run nbdev_clean && nbdev_export and commit"; git status --short; exit 1; }; \
	done
	@echo "notebooks clean, library in sync"

nbtest: setup
	@test -n "$(FER2013_CSV)" -a -f "$(FER2013_CSV)" || { echo "FER2013 file missing: $(FER2013_CSV)"; exit 1; }
	$(BIN)/python tools/nbtest.py --n_workers 2 --timing   # nbdev_test, saving what it ran for docs-check

# The docs site in _docs/ and README.md, both from the notebooks (no Quarto needed); README.md must be committed as built.
docs: setup
	$(BIN)/python tools/docs.py --data "$(FER2013_CSV)"
	@git diff --quiet -- README.md || { echo "README.md is out of date with nbs/index.ipynb: run make docs and commit it"; git diff --stat -- README.md; exit 1; }

# CI's docs check: the site and README from the notebooks nbtest has just run, with the committed images (`make docs`
# runs the notebooks itself and remakes the images too).
docs-check: setup nbtest
	$(BIN)/python tools/docs.py --no-images --executed
	@git diff --quiet -- README.md || { echo "README.md is out of date with nbs/index.ipynb: run make docs and commit it"; git diff --stat -- README.md; exit 1; }

# Two workers, each taking whole files (so a file's shared fixtures are computed once): one computes while the other
# waits on a child process.
pytest: setup
	$(BIN)/python -m pytest tests/ -n 2 --dist loadfile -p no:cacheprovider -W ignore::DeprecationWarning --durations=20

# Every figure of every model card on both splits, ten crops included: run it after shipping a model. (CI re-scores
# each runtime on PrivateTest and the served one on PublicTest, and checks every file's sha256 against its card.)
check-cards: setup
	FER_NB_CARDS=all $(BIN)/python -m pytest tests/test_model_files.py -p no:cacheprovider -W ignore::DeprecationWarning

# Speed, baseline beside fer_nb with ratios: CSV loading, then training, inference and start-up (under 10 minutes here).
bench: setup
	$(BIN)/python bench/load.py --data "$(FER2013_CSV)"
	$(BIN)/python bench/speed.py --data "$(FER2013_CSV)"

# The shipped reference model, reproduced (about an hour on 2 CPU cores).
train: setup
	$(BIN)/fer-nb train --data "$(FER2013_CSV)" --arch reference --epochs 40 --batch-size 64 --seed 0 --augment --out runs/reference

clean:
	rm -rf out _docs _proc .cache
