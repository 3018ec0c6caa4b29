# gemba entry points. `make demo` and `make test` work on a fresh Debian machine.
JOBS ?= 2
BUILD := build/release
GEMBA := $(BUILD)/bin/gemba

.PHONY: all deps build build-debug test test-asan demo bench clean

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-debug: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

# Every test: the release suite, then the bad-input / kernel tests again under ASan+UBSan.
test: build build-debug
	ctest --preset release
	ctest --preset debug -L 'unit|kernel'

demo: build
	bash scripts/demo.sh $(GEMBA)

bench: build
	bash bench/run.sh $(GEMBA)

clean:
	rm -rf build
