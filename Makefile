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
#   make install    module, library, headers, pkg-config file, tool, man page,
#                   udev rule, modprobe.d example [PREFIX= DESTDIR= KDIR=]
#   make uninstall  the same files again
#   make dkms-build dkms add/build against every tested kernel, in a private
#                   DKMS tree (nothing installed or loaded)
#   make deb        Debian packages (dpkg-buildpackage) and lintian
#   make deb-check  make deb, then install the packages into a scratch root
#                   and check where the files land
#
# Downloads and built kernels live in $(SGCAP_CACHE) (default ~/.cache/sgcap),
# build products and guest logs in $(SGCAP_BUILD) (default ./build).

SGCAP_CACHE ?= $(HOME)/.cache/sgcap
SGCAP_BUILD ?= $(CURDIR)/build
export SGCAP_CACHE SGCAP_BUILD

O ?= $(SGCAP_BUILD)/out
HARNESS_DIR ?= $(SGCAP_CACHE)/src/linux-source-6.12/tools/testing/selftests

.PHONY: all modules check demo lint bench host-tests guest-tests clean
.PHONY: install uninstall install-module uninstall-module install-user \
	uninstall-user install-udev uninstall-udev install-dkms uninstall-dkms \
	dkms-build deb deb-check

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

# Installation, laid out as a distribution's driver package would be.
# DESTDIR stages everything (nothing else on the machine changes); without
# it, depmod and udev are told about the new module and rule. The module is
# built against KDIR (the running kernel's headers unless given); DKMS users
# take `make install-dkms` instead of the module part (see
# Documentation/admin-guide/sgcap.rst).
SGCAP_VERSION := $(shell cat $(CURDIR)/VERSION)
PREFIX ?= /usr/local
DESTDIR ?=
KDIR ?= /lib/modules/$(shell uname -r)/build
KVER = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d
DKMSDIR ?= /usr/src/sgcap-$(SGCAP_VERSION)
sgcap_dest := $(abspath $(DESTDIR))
sgcap_user := $(MAKE) -C userspace O=$(SGCAP_BUILD)/userspace PREFIX=$(PREFIX) \
	DESTDIR=$(sgcap_dest)
# Kbuild must not see this Makefile's command line (O=, PREFIX=...).
sgcap_kmake := env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS $(MAKE) -C $(KDIR)
# The module source as DKMS and Kbuild see it: no objects of earlier builds.
sgcap_copy_src = mkdir -p $(1) && rsync -a -m --chmod=D0755,F0644 \
	--exclude='*.mod.c' --include='*/' --include='*.[ch]' --exclude='*' \
	$(CURDIR)/drivers \
	$(CURDIR)/uapi $(1)/ && install -m 0644 Kbuild VERSION $(1)/

install: install-module install-user install-udev
uninstall: uninstall-module uninstall-user uninstall-udev

install-module:
	@test -n "$(KVER)" || { echo "sgcap: no kernel headers in KDIR=$(KDIR)" >&2; exit 1; }
	$(call sgcap_copy_src,$(SGCAP_BUILD)/install/$(KVER))
	$(sgcap_kmake) M=$(SGCAP_BUILD)/install/$(KVER) modules
	$(sgcap_kmake) M=$(SGCAP_BUILD)/install/$(KVER) INSTALL_MOD_PATH=$(sgcap_dest) \
		INSTALL_MOD_DIR=extra modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

uninstall-module:
	rm -f $(foreach z,'' .xz .gz .zst,$(DESTDIR)/lib/modules/$(KVER)/extra/sgcap.ko$(z))
	$(if $(DESTDIR),,depmod -a $(KVER))

install-user:
	$(sgcap_user) install
	$(if $(DESTDIR),,ldconfig)
uninstall-user:
	$(sgcap_user) uninstall
	$(if $(DESTDIR),,ldconfig)

# An edited modprobe.d file is the administrator's: never overwritten, and
# removed only when unchanged.
install-udev:
	install -D -m 0644 dist/udev/60-sgcap.rules $(DESTDIR)$(UDEVRULESDIR)/60-sgcap.rules
	test -e $(DESTDIR)$(MODPROBEDIR)/sgcap.conf || \
		install -D -m 0644 dist/modprobe.d/sgcap.conf $(DESTDIR)$(MODPROBEDIR)/sgcap.conf
	$(if $(DESTDIR),,-udevadm control --reload-rules)

uninstall-udev:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-sgcap.rules
	! cmp -s dist/modprobe.d/sgcap.conf $(DESTDIR)$(MODPROBEDIR)/sgcap.conf || \
		rm -f $(DESTDIR)$(MODPROBEDIR)/sgcap.conf
	$(if $(DESTDIR),,-udevadm control --reload-rules)

# The DKMS source tree, /usr/src/sgcap-VERSION; then: dkms install sgcap/VERSION
install-dkms:
	rm -rf $(DESTDIR)$(DKMSDIR)
	$(call sgcap_copy_src,$(DESTDIR)$(DKMSDIR))
	sed 's/#MODULE_VERSION#/$(SGCAP_VERSION)/' dkms.conf > $(DESTDIR)$(DKMSDIR)/dkms.conf

uninstall-dkms:
	rm -rf $(DESTDIR)$(DKMSDIR)

dkms-build:
	@./vm/dkms-build.sh

deb:
	@./vm/deb.sh

deb-check:
	@./vm/deb-check.sh
