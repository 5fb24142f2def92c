# Entry points. `make run` and `make check` set up a fresh Debian 12 machine by themselves.
BUILD   ?= build
CHECKB  ?= build-check
FUZZB   ?= build-fuzz
JOBS    ?= $(shell nproc)
PREFIX  ?= /usr/local
CMAKE_FLAGS ?=

.PHONY: all deps run check bench fuzz install clean

all:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFDS_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

deps:
	@bash scripts/deps.sh

run: deps all
	@bash scripts/run.sh

check: deps
	@cmake -S . -B $(CHECKB) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHFDS_SANITIZE=ON -DHFDS_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(CHECKB) -j $(JOBS)
	@cd $(CHECKB) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

bench: deps all
	@bash bench/run.sh

fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZB) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHFDS_FUZZ=ON -DHFDS_SANITIZE=ON -DHFDS_TESTS=OFF >/dev/null
	@cmake --build $(FUZZB) -j $(JOBS)
	@bash tests/fuzz/run.sh $(FUZZB) $${FUZZ_SECONDS:-300}

install: all
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(CHECKB) $(FUZZB)
