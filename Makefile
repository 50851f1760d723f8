# Every target runs on a fresh Debian machine with the Swift toolchain: missing system packages are installed.
SWIFT ?= swift
BENCH ?= ../shared/bench/bench
IMAGE ?= localhost/service:dev

.DEFAULT_GOAL := help
.PHONY: help build release image run test bench fuzz lint rename

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

build: ## Debug build of the service
	@scripts/ensure-deps.sh build
	$(SWIFT) build --product service

# --disable-local-rpath: no $$ORIGIN RUNPATH, so the loader does not search the binary's directory (about a dozen
# failed opens per start, and a directory that could plant a libpq) before the system's.
release: ## Release build, Swift runtime linked in (what the image ships)
	@scripts/ensure-deps.sh build
	$(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath --product service

# podman, with stand-ins for base images that cannot be pulled (scripts/builder-image.sh); --pull=never uses them.
# --format docker: the OCI format has no HEALTHCHECK field and podman would warn about dropping it.
image: ## The image from the Dockerfile, builder stage included (podman; IMAGE=localhost/service:dev)
	scripts/builder-image.sh
	CONTAINERS_CONF=$(CURDIR)/scripts/containers.conf podman build --pull=never --format docker \
		--build-arg VERSION=dev --build-arg REVISION="$$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
		-t $(IMAGE) .

run: build ## Serve on :8080 (admin :8081) with a local PostgreSQL started for it
	@scripts/ensure-deps.sh run
	scripts/run-local.sh

test: ## The whole test suite against a throwaway PostgreSQL
	scripts/test.sh

bench: release ## Side-by-side benchmark against nginx, FastAPI and Hummingbird (../shared/bench)
	@scripts/ensure-deps.sh bench
	scripts/bench.sh

fuzz: ## Fuzz the request parser (FUZZ_SECONDS, default 60)
	scripts/fuzz.sh $${FUZZ_SECONDS:-60}

lint: ## Manifests, Dockerfile and cross-object checks
	scripts/lint/run

rename: ## Make the template yours: rename the service everywhere (make rename NAME=orders)
	@test -n "$(NAME)" || { echo "usage: make rename NAME=your-service" >&2; exit 2; }
	scripts/rename.py $(NAME)
