# gemba entry points. `make demo` and `make test` work on a fresh Debian machine.
JOBS ?= 2
BUILD := build/release
GEMBA := $(BUILD)/bin/gemba

# The bad-input suites (truncated / bit-flipped / oversized model files, malformed
# tokenizer files, malformed claim-contrast files and Markdown tables) run again under ASan + UBSan.
ASAN_TESTS := format-test-gguf format-test-safetensors format-test-model-config tokenizer-test-tokenizer-formats engine-test-lora-files \
              data-test-claim-contrasts

.PHONY: all deps build build-debug test test-asan demo demo-klipper bench clean

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-debug: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS) --target $(ASAN_TESTS)

# Every test: the release suite, then the bad-input suites again under ASan+UBSan.
test: build build-debug
	ctest --preset release
	ctest --preset debug -R '^($(subst $(eval) ,|,$(ASAN_TESTS)))$$'

test-asan: build-debug
	ctest --preset debug -R '^($(subst $(eval) ,|,$(ASAN_TESTS)))$$'

# The demo needs only the two binaries (gemba, gemba-train): ~3 min of build on 2 cores
# (unity builds, bench/RESULTS.md session 17), not the tests' and benchmarks' too.
demo: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target gemba
	bash scripts/demo.sh $(GEMBA)

# The second demo: real manuals (the Klipper docs in ../shared/corpora/klipper), grounded answers.
demo-klipper: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target gemba
	bash scripts/demo-klipper.sh $(GEMBA)

bench: build
	bash bench/run.sh $(GEMBA)

clean:
	rm -rf build
