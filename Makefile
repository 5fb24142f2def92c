# Entry points. `make run` and `make check` set up a fresh Debian 12 machine by themselves
# (scripts/deps.sh installs the missing Debian packages and the npm test judges).
#
#   make            release build of the library and the CLI: build/hfds
#   make run        deps + build + scripts/run.sh (a short demo)
#   make check      deps + ASan/UBSan -Werror build + header test + fuzz smoke run + ctest
#   make bench      deps + release build + bench/run.sh (results in bench/out/)
#   make fuzz       deps + libFuzzer build + tests/fuzz/run.sh for FUZZ_SECONDS (default 300)
#   make install    release build installed under PREFIX (default /usr/local)
#
# Knobs: JOBS (parallel jobs), FUZZ_SECONDS (total fuzz budget; make check uses 60, 0 skips),
# CTEST_TIMEOUT (per-test default, seconds), CTEST_ARGS (e.g. -R util_), CMAKE_FLAGS.
BUILD   ?= build
CHECKB  ?= build-check
FUZZB   ?= build-fuzz
JOBS    ?= $(shell nproc)
PREFIX  ?= /usr/local
CMAKE_FLAGS ?=
CTEST_TIMEOUT ?= 300
CTEST_ARGS ?=
FUZZ_SOURCES := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps run check check-build fuzz-smoke bench fuzz fuzz-build fuzz-run-only install clean

all:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFDS_SANITIZE=OFF -DHFDS_FUZZ=OFF -DHFDS_WERROR=OFF -DHFDS_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

deps:
	@bash scripts/deps.sh

run: deps all
	@bash scripts/run.sh $(BUILD)/hfds

# The fuzz smoke run goes before ctest so that ctest's summary closes the output; a fuzz
# failure still fails `make check`, after ctest has run.
check: deps check-build
	@fuzz_rc=0; $(MAKE) --no-print-directory fuzz-smoke || fuzz_rc=$$?; \
	cd $(CHECKB) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) --timeout $(CTEST_TIMEOUT) $(CTEST_ARGS); ctest_rc=$$?; \
	if [ $$fuzz_rc -ne 0 ]; then echo "check: the fuzz smoke run failed (see the fuzz: lines above)"; exit 1; fi; \
	exit $$ctest_rc

check-build:
	@cmake -S . -B $(CHECKB) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHFDS_SANITIZE=ON -DHFDS_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(CHECKB) -j $(JOBS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz-build fuzz-run-only FUZZ_SECONDS=$${FUZZ_SECONDS:-60}

bench: deps all
	@bash bench/run.sh $(BUILD)/hfds

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build fuzz-run-only FUZZ_SECONDS=$${FUZZ_SECONDS:-300}

fuzz-build:
ifneq ($(FUZZ_SOURCES),)
	@if [ "$${FUZZ_SECONDS:-1}" != 0 ]; then \
		CC=clang CXX=clang++ cmake -S . -B $(FUZZB) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHFDS_FUZZ=ON \
			-DHFDS_SANITIZE=ON -DHFDS_WERROR=ON -DHFDS_TESTS=OFF $(CMAKE_FLAGS) >/dev/null && \
		cmake --build $(FUZZB) --target fuzzers -j $(JOBS); fi
endif

fuzz-run-only:
	@if [ "$${FUZZ_SECONDS:-1}" = 0 ]; then echo "fuzz: skipped (FUZZ_SECONDS=0)"; \
	else bash tests/fuzz/run.sh $(FUZZB) $${FUZZ_SECONDS:-300}; fi

install: all
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(CHECKB) $(FUZZB) bench/out
