# SwiftLocust: build, demo and test.
#
#   make deps    install libcurl headers, jemalloc (the runner preloads it), nginx, wrk, Chart.js (the web UI's charts) and faketime (a clock-skew test) if missing (apt-get, as root)
#   make build   the runner and demo target (release), then every scenario plugin in Plugins/
#   make demo    run the Shop example for 15 s against a local locust-demo-target
#   make test    build, then all tests; the integration tests run the real binaries
#   make web-test   the web UI and HTTP API tests (pytest + Selenium, headless Chromium; `make test-deps` first)
#   make image   the OCI image (buildah, a debootstrap root; as root): IMAGE=swiftlocust:latest, PLUGIN=Shop or PLUGIN=path/lib.so to bake one in
#   make image-test   the image builds; a master and two slaves from it count what nginx served; deploy/ validates
#   make network-test   a master, 3 slaves and nginx on their own network namespaces, with link faults (root)
#   make soak    a master, two slaves and 5,000 paced users for 30 min: RSS flat, counts equal (bench/soak.py)
#   make clean   remove build products (dependency checkouts are kept)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

SWIFT ?= swift
CONFIG := release
BIN := $(CURDIR)/.build/$(CONFIG)
PLUGINS := $(patsubst %/Package.swift,%,$(wildcard Plugins/*/Package.swift))
# What needs the binaries builds them first, unless the caller just did (BUILD_DONE=1: make test's phases,
# CI's bench-smoke): an up-to-date build still costs about 5 s of SwiftPM planning for the 4 packages.
BUILD_PREREQ := $(if $(BUILD_DONE),,build)

# Where the integration tests find what they run.
TEST_ENV := \
	LOCUST_BIN=$(BIN)/locust \
	LOCUST_DEMO_TARGET_BIN=$(BIN)/locust-demo-target \
	LOCUST_TEST_PLUGIN=$(CURDIR)/Plugins/TestTargets/.build/$(CONFIG)/libTestTargets.so \
	LOCUST_SHOP_PLUGIN=$(CURDIR)/Plugins/Shop/.build/$(CONFIG)/libShop.so \
	LOCUST_CHECKOUT=$(CURDIR)

.PHONY: deps build demo test unit-test integration-test clean

deps:
	@missing=(); \
	if ! command -v curl-config >/dev/null 2>&1 || [[ ! -f "$$(curl-config --prefix 2>/dev/null)/include/curl/curl.h" && ! -f /usr/include/x86_64-linux-gnu/curl/curl.h && ! -f /usr/include/curl/curl.h ]]; then \
		missing+=(libcurl4-openssl-dev); fi; \
	command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light); \
	command -v wrk >/dev/null 2>&1 || missing+=(wrk); \
	[[ -f /usr/share/javascript/chart.js/chart.min.js ]] || missing+=(libjs-chart.js); \
	[[ -f /usr/include/zmq.h ]] || missing+=(libzmq3-dev); \
	[[ -f /usr/include/msgpack.h ]] || missing+=(libmsgpack-dev); \
	/sbin/ldconfig -p 2>/dev/null | grep -q 'libjemalloc\.so\.2 ' || missing+=(libjemalloc2); \
	command -v faketime >/dev/null 2>&1 || missing+=(faketime); \
	if (( $${#missing[@]} == 0 )); then echo "deps: libcurl and libzmq headers, msgpack-c, jemalloc, nginx, wrk, Chart.js and faketime are present"; exit 0; fi; \
	echo "deps: installing $${missing[*]}"; \
	if [[ $$(id -u) == 0 ]]; then sudo=(); \
	elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); \
	else echo "deps: run as root to install $${missing[*]}" >&2; exit 1; fi; \
	"$${sudo[@]}" apt-get update; \
	"$${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$${missing[@]}"

build: deps
	@echo "make build: started at $$(date +%T)"
	@# SwiftPM does not plan a package again when files are added to a path dependency: when LocustAPI's
	@# file list changed, touch the plugins' manifests so that their next build sees the new files.
	@files=$$(cd Sources/LocustAPI && find . -name '*.swift' -not -path './.build/*' | sort | md5sum); \
	if [[ "$$(cat .build/locustapi-files 2>/dev/null)" != "$$files" ]]; then \
		touch $(addsuffix /Package.swift,$(PLUGINS)); mkdir -p .build; echo "$$files" > .build/locustapi-files; fi
	LOCUSTAPI_WARNINGS=1 $(SWIFT) build -c $(CONFIG)
	@# The plugins one after the other, after the runner: built beside it (tried in CI, 2026-12-03) they
	@# made the runner's build 180 s slower on 2 cores and saved 64 s.
	@for plugin in $(PLUGINS); do \
		echo "Building $$plugin"; \
		$(SWIFT) build -c $(CONFIG) --package-path "$$plugin"; \
	done

demo: build
	scripts/demo.sh

# The unit tests first, then the integration tests on their own, so that the load tests (timing
# assertions included) do not share the 2 cores with anything else of ours.
# Each phase is stamped with the time, so that a slow CI run shows where its minutes went.
test: build
	@for phase in unit-test integration-test web-test image-test network-test; do \
		echo "make test: $$phase at $$(date +%T)"; \
		$(MAKE) --no-print-directory $$phase BUILD_DONE=1 || exit $$?; \
	done; echo "make test: done at $$(date +%T)"

# The tests' own (debug) build carries no debug information: on 2 cores that build takes 404 s instead
# of 504 s from a fresh clone (measured side by side, docs/BENCHMARKS.md). Failures still name their
# file and line (swift-testing records them from the source); for lldb, run `swift test` without these.
TEST_BUILD_FLAGS ?= -Xswiftc -gnone -Xcc -g0

unit-test:
	$(SWIFT) test $(TEST_BUILD_FLAGS) --skip IntegrationTests

integration-test:
	$(TEST_ENV) $(SWIFT) test $(TEST_BUILD_FLAGS) --filter IntegrationTests

# The web UI and API tests (Tests/WebTests): Chromium, its driver, Chart.js and openssl from Debian;
# pytest, requests and Selenium (Tests/WebTests/requirements.txt) in .venv-test/, reinstalled when that
# file changes.
TEST_VENV := $(CURDIR)/.venv-test
WEB_TEST_REQUIREMENTS := Tests/WebTests/requirements.txt
.PHONY: test-deps web-test

test-deps:
	@missing=(); \
	[[ -x /usr/bin/chromium ]] || missing+=(chromium); \
	[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver); \
	[[ -f /usr/share/javascript/chart.js/chart.min.js ]] || missing+=(libjs-chart.js); \
	command -v openssl >/dev/null 2>&1 || missing+=(openssl); \
	python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv); \
	if (( $${#missing[@]} == 0 )); then echo "test-deps: Chromium, chromedriver, Chart.js and openssl are present"; \
	else \
		echo "test-deps: installing $${missing[*]}"; \
		if [[ $$(id -u) == 0 ]]; then sudo=(); \
		elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); \
		else echo "test-deps: run as root to install $${missing[*]}" >&2; exit 1; fi; \
		"$${sudo[@]}" apt-get update; \
		"$${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$${missing[@]}"; \
	fi
	@[[ -x "$(TEST_VENV)/bin/python" ]] || python3 -m venv "$(TEST_VENV)"
	@if cmp -s $(WEB_TEST_REQUIREMENTS) "$(TEST_VENV)/requirements.txt"; then \
		echo "test-deps: $(TEST_VENV) has $(WEB_TEST_REQUIREMENTS)"; \
	else \
		echo "test-deps: pip install -r $(WEB_TEST_REQUIREMENTS) into $(TEST_VENV)"; \
		"$(TEST_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check -r $(WEB_TEST_REQUIREMENTS); \
		cp $(WEB_TEST_REQUIREMENTS) "$(TEST_VENV)/requirements.txt"; \
	fi

web-test: $(BUILD_PREREQ) test-deps
	$(TEST_ENV) "$(TEST_VENV)/bin/python" -m pytest -q Tests/WebTests

# The network tests (Tests/NetworkTests, pytest from the same venv): their own hosts as network
# namespaces on a bridge (ip netns, veth, as root; skipped with the reason otherwise), links cut and
# restored, loss (nftables; delay and loss with tc netem where the kernel has sch_netem), a slave's
# clock 180 s ahead (faketime). About 1.5 minutes.
.PHONY: network-test
network-test: $(BUILD_PREREQ) test-deps
	$(TEST_ENV) "$(TEST_VENV)/bin/python" -m pytest -q -p no:cacheprovider Tests/NetworkTests

clean:
	$(SWIFT) package clean
	@for plugin in $(PLUGINS); do $(SWIFT) package clean --package-path "$$plugin"; done

# Benchmarks (bench/bench.py): nginx on 127.0.0.1 pinned to core 1, every load generator pinned to core 0;
# `make bench-deps` puts locust==2.47.0 and matplotlib into .venv-bench/ (pip, from PyPI).
#   make bench         3 repetitions of everything (about 15 min); writes docs/BENCHMARKS.md, docs/benchmarks.png
#   make bench-smoke   1 short repetition of everything (1-2 min); fails when a tool breaks, never on speed
#   make bench-instructions   user-space instructions per request, SwiftLocust beside the bare libcurl
#                      program, under callgrind (repeatable to ~1 %; builds a patched valgrind on first use)
#   make bench-many    10,000 / 50,000 / 100,000 users paced at 1 request per 10 s, one connection each,
#                      bound to 127.0.0.2-127.0.0.9 (bench/many-connections.py, 10-15 min; not part of test)
#   BENCH_FLAGS=...    more options for bench/bench.py (`python3 bench/bench.py --help`); BENCH_MANY_FLAGS for bench-many
# Python packages go to a virtual environment (.venv-bench/), created on first use.
BENCH_VENV := $(CURDIR)/.venv-bench
PYTHON ?= $(BENCH_VENV)/bin/python
.PHONY: bench bench-smoke bench-deps bench-instructions bench-many

bench-deps:
	@if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then \
		echo "bench-deps: installing python3-venv"; \
		if [[ $$(id -u) == 0 ]]; then sudo=(); else sudo=(sudo); fi; \
		"$${sudo[@]}" apt-get update; \
		"$${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv; \
	fi
	@[[ -x "$(BENCH_VENV)/bin/python" ]] || python3 -m venv "$(BENCH_VENV)"
	@if "$(BENCH_VENV)/bin/python" -c 'import locust, matplotlib, sys; sys.exit(locust.__version__ != "2.47.0")' >/dev/null 2>&1; then \
		echo "bench-deps: locust 2.47.0 and matplotlib are present"; \
	else \
		echo "bench-deps: pip install locust==2.47.0 matplotlib into $(BENCH_VENV)"; \
		"$(BENCH_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check locust==2.47.0 matplotlib; \
	fi

bench: build bench-deps
	$(PYTHON) bench/bench.py $(BENCH_FLAGS)

bench-smoke: $(BUILD_PREREQ) bench-deps
	$(PYTHON) bench/bench.py --smoke $(BENCH_FLAGS)

bench-many: build
	python3 bench/many-connections.py $(BENCH_MANY_FLAGS)

bench-instructions: build
	bash bench/instructions.sh /
	bash bench/instructions.sh /64k

# Soak (bench/soak.py; not part of `make test`): a master and two slaves of this checkout's build,
# SOAK_USERS users (5000) of TestTargets' PacedUser (1 request/s each) against nginx on 127.0.0.1 for
# SOAK_MINUTES (30); RSS of every process sampled every 10 s must stay within 5 % after the ramp, the
# master's total must equal nginx's access log, and no slave may be "missing". Writes docs/soak.png, the
# Soak section of docs/BENCHMARKS.md and bench/soak-results.json (SOAK_FLAGS=--no-doc for a trial).
#   make soak SOAK_MINUTES=3 SOAK_USERS=1000 SOAK_FLAGS=--no-doc
SOAK_MINUTES ?= 30
SOAK_USERS ?= 5000
SOAK_FLAGS ?=
SOAK_PLUGIN ?= $(CURDIR)/Plugins/TestTargets/.build/$(CONFIG)/libTestTargets.so
.PHONY: soak

soak: build bench-deps
	SOAK_MINUTES=$(SOAK_MINUTES) SOAK_USERS=$(SOAK_USERS) LOCUST_BIN=$(BIN)/locust \
		PLUGIN=$(SOAK_PLUGIN) $(PYTHON) bench/soak.py $(SOAK_FLAGS)

# The container image (scripts/image.sh) and the deployment files (deploy/): buildah with the vfs driver,
# as root, on a Debian root made by debootstrap from the package mirror (no registry), cached in
# IMAGE_CACHE; see the README's "Containers and Kubernetes".
#   make image                      localhost/swiftlocust:latest; slaves fetch the plugin (-f -) or it is mounted
#   make image PLUGIN=Shop          bake Plugins/Shop's plugin in (or PLUGIN=path/to/lib.so)
#   make image IMAGE_ARCHIVE=x.tar  also write an OCI archive (podman load, ctr images import, skopeo)
#   make image-test                 Tests/ImageTests (pytest, kubernetes-validate in .venv-image/)
IMAGE ?= swiftlocust:latest
PLUGIN ?=
IMAGE_CACHE ?= /var/cache/swiftlocust/image
IMAGE_ARCHIVE ?=
IMAGE_PLUGIN = $(if $(PLUGIN),$(if $(wildcard Plugins/$(PLUGIN)/Package.swift),$(CURDIR)/Plugins/$(PLUGIN)/.build/$(CONFIG)/lib$(PLUGIN).so,$(abspath $(PLUGIN))))
IMAGE_VENV := $(CURDIR)/.venv-image
IMAGE_TEST_REQUIREMENTS := Tests/ImageTests/requirements.txt
.PHONY: image image-deps image-test image-test-deps

image-deps:
	@missing=(); \
	command -v buildah >/dev/null 2>&1 || missing+=(buildah); \
	command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap); \
	[[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] || missing+=(debian-archive-keyring); \
	command -v strip >/dev/null 2>&1 || missing+=(binutils); \
	if (( $${#missing[@]} == 0 )); then echo "image-deps: buildah and debootstrap are present"; exit 0; fi; \
	echo "image-deps: installing $${missing[*]}"; \
	if [[ $$(id -u) == 0 ]]; then sudo=(); \
	elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); \
	else echo "image-deps: run as root to install $${missing[*]}" >&2; exit 1; fi; \
	"$${sudo[@]}" apt-get update; \
	"$${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$${missing[@]}"

image: build image-deps
	scripts/image.sh --bin $(BIN) --tag $(IMAGE) --cache $(IMAGE_CACHE) \
		$(if $(IMAGE_PLUGIN),--plugin $(IMAGE_PLUGIN)) $(if $(IMAGE_ARCHIVE),--archive $(abspath $(IMAGE_ARCHIVE)))

image-test-deps:
	@command -v docker-compose >/dev/null 2>&1 || { \
		echo "image-test-deps: installing docker-compose (its 'config' checks deploy/docker-compose.yml; no engine needed)"; \
		if [[ $$(id -u) == 0 ]]; then sudo=(); else sudo=(sudo); fi; \
		"$${sudo[@]}" apt-get update; \
		"$${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y docker-compose; }
	@python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || { \
		echo "image-test-deps: installing python3-venv"; \
		if [[ $$(id -u) == 0 ]]; then sudo=(); else sudo=(sudo); fi; \
		"$${sudo[@]}" apt-get update; \
		"$${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv; }
	@[[ -x "$(IMAGE_VENV)/bin/python" ]] || python3 -m venv "$(IMAGE_VENV)"
	@if cmp -s $(IMAGE_TEST_REQUIREMENTS) "$(IMAGE_VENV)/requirements.txt"; then \
		echo "image-test-deps: $(IMAGE_VENV) has $(IMAGE_TEST_REQUIREMENTS)"; \
	else \
		echo "image-test-deps: pip install -r $(IMAGE_TEST_REQUIREMENTS) into $(IMAGE_VENV)"; \
		"$(IMAGE_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check -r $(IMAGE_TEST_REQUIREMENTS); \
		cp $(IMAGE_TEST_REQUIREMENTS) "$(IMAGE_VENV)/requirements.txt"; \
	fi

image-test: $(BUILD_PREREQ) image-deps image-test-deps
	$(TEST_ENV) LOCUST_IMAGE_CACHE=$(IMAGE_CACHE) "$(IMAGE_VENV)/bin/python" -m pytest -q -rA Tests/ImageTests
