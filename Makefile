# SPDX-License-Identifier: GPL-2.0
#
# sgcap top-level Makefile. The module itself is described by ./Kbuild; this
# file drives the test bed (vm/), the userspace build and the tools.
#
#   make            build sgcap.ko against every tested kernel (cached)
#   make check      build and run every test in QEMU guests; ends "N passed, N failed"
#   make demo       boot a guest with a simulated card and show a capture session
#   make lint       checkpatch --strict, sparse, kernel-doc
#   make bench      benchmarks (host postprocess throughput, guest pipeline cost)
#
# Downloads and built kernels live in $(SGCAP_CACHE) (default ~/.cache/sgcap),
# build products and guest logs in $(SGCAP_BUILD) (default ./build).

SGCAP_CACHE ?= $(HOME)/.cache/sgcap
SGCAP_BUILD ?= $(CURDIR)/build
export SGCAP_CACHE SGCAP_BUILD

O ?= $(SGCAP_BUILD)/out
HARNESS_DIR ?= $(SGCAP_CACHE)/src/linux-source-6.12/tools/testing/selftests

.PHONY: all modules check demo lint bench host-tests guest-tests clean

all: modules

modules:
	@./vm/setup-host.sh
	@for l in 6.1 6.12; do \
		./vm/build-module.sh "$$(./vm/fetch-kernel.sh $$l)" "$(SGCAP_BUILD)/$$l" || exit 1; \
		echo "built $(SGCAP_BUILD)/$$l/sgcap.ko"; \
	done

check:
	@./vm/check.sh

demo:
	@./vm/demo.sh

lint:
	@./vm/lint.sh

bench:
	@./vm/bench.sh

# Host unit tests of the pure code (postprocess pass, userspace library).
host-tests:
	@$(MAKE) -s -C userspace O=$(O) host-tests

# Everything that runs inside the guest: selftests and userspace tools.
guest-tests:
	@mkdir -p $(O)
	@$(MAKE) -s -C selftests/sgcap O=$(O) HARNESS_DIR=$(HARNESS_DIR) UAPI_DIR=$(CURDIR)/uapi all
	@if [ -f userspace/Makefile ]; then \
		$(MAKE) -s -C userspace O=$(O) guest; fi

clean:
	rm -rf $(SGCAP_BUILD)
