# Thin wrapper around CMake. `make run` and `make test` work on a fresh Debian 12.
.PHONY: all build run stop test test-compose image bench bench-compare bench-ab fuzz clean

JOBS ?= $(shell nproc)

all: build

build:
	scripts/deps.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHR_BUILD_COMMIT=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown) >/dev/null
	cmake --build build -j$(JOBS)
	@mkdir -p bin && for b in hybridrec hybridrec-gateway hybridrec-broker interactions-svc content-svc trending-svc rules-svc collab-svc; do ln -sfn ../build/bin/$$b bin/$$b; done

run:
	scripts/run.sh

stop:
	scripts/stop.sh

# The test build: ASan + UBSan, every test (unit, service-over-ZMQ, end-to-end).
test:
	scripts/test.sh

# The container image (no registry: base images from Debian packages) and the
# compose stack run for real (scripts/compose_test.sh builds the images first;
# it skips, exit 0, on a machine that cannot run a Docker engine).
image:
	scripts/image.sh

test-compose:
	scripts/compose_test.sh

bench: build
	scripts/bench.sh

# hybridrec and the reference (../shared/reference) back to back with the shared
# harness (../shared/bench) at the API's defaults: BENCHMARKS.md "Against the reference".
bench-compare:
	bench/compare.sh $(or $(BENCH_SECONDS),10)

# two builds (bin dirs) side by side, their turns interleaved: BENCHMARKS.md
# "Interleaved A/B: bench/ab.sh".  make bench-ab BIN_A=/tmp/bin-main BIN_B=/tmp/bin-mine
bench-ab:
	bench/ab.sh "$(BIN_A)" "$(BIN_B)" $(or $(BENCH_ROUNDS),3) $(or $(BENCH_SECONDS),10)

fuzz:
	scripts/fuzz.sh

clean:
	rm -rf build build-test bin
