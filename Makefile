# Thin wrapper around CMake. `make run` and `make test` work on a fresh Debian 12.
.PHONY: all build run stop test bench fuzz clean

JOBS ?= $(shell nproc)

all: build

build:
	scripts/deps.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j$(JOBS)
	@mkdir -p bin && for b in hybridrec hybridrec-gateway hybridrec-broker interactions-svc content-svc trending-svc rules-svc collab-svc; do ln -sfn ../build/bin/$$b bin/$$b; done

run:
	scripts/run.sh

stop:
	scripts/stop.sh

# The test build: ASan + UBSan, every test (unit, service-over-ZMQ, end-to-end).
test:
	scripts/test.sh

bench: build
	scripts/bench.sh

fuzz:
	scripts/fuzz.sh

clean:
	rm -rf build build-test bin
