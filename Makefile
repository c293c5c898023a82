# SPDX-License-Identifier: GPL-2.0
# wiascan: top-level build.
#
#   make            build the module (against KDIR), the helper, the emulator
#                   and the selftests
#   make check      install missing packages, build against Debian 12's
#                   kernel, run every test suite (native and in the VM) and
#                   end with "N passed, N failed"
#   make kernels    fetch Debian 13's (6.12) and unstable's (7.2) kernels
#                   into chroots cached under build/kernels/ and build
#                   wiascan.ko for each (tools/testing/vm/kernel-cache)
#   make check-vm-debian13, make check-vm-unstable
#                   that kernel's suites into build/check: the build
#                   (plain, W=1), DKMS, the kselftest suite and
#                   KERNEL_VM_SUITES in guests of that kernel
#   make demo       scan a two-page letter from the reference scanner in
#                   the VM into a multipage TIFF (build/demo/scan.tif), and
#                   the same through scanimage (build/demo/sane-page*.pnm)
#   make demo-pages the demo's letter, typeset from README.md into
#                   build/demo/page-1.pnm and page-2.pnm (groff, Ghostscript)
#   make lint       the quality gates (checkpatch, sparse, W=1, kernel-doc,
#                   ABI, -Werror, clang-tidy, cppcheck, clang-format, shellcheck,
#                   SPDX lines)
#   make bench      figures of the helper's file path
#   make install    module, helper, SANE backend, udev rules, man pages,
#                   header, completion
#                   (DESTDIR, PREFIX; make uninstall removes them)
#   make clean
#
# KDIR is the kernel build tree for `make`/`make module`; the tests always
# use Debian's packaged kernel (tools/testing/vm/debian-kver), because that
# is the kernel the VM boots.

TOP		:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KDIR		?= /lib/modules/$(shell uname -r)/build
TEST_KVER	 = $(shell $(TOP)/tools/testing/vm/debian-kver)
TEST_KDIR	 = /lib/modules/$(TEST_KVER)/build
SELFTESTS	:= tools/testing/selftests/drivers/usb/wiascan
EMULATOR	:= tools/testing/emulator
POLL_DELAY	:= tools/testing/poll-delay
CHECK_DIR	:= $(TOP)/build/check
VM_RUN		:= $(TOP)/tools/testing/vm/vm-run
RUN_SUITE	:= $(TOP)/tools/testing/run-suite

.PHONY: all module userspace helper emulator selftests deps check check-run \
	check-native check-lint check-vm check-vm-debug check-debug \
	check-native-lint check-prepare-debug check-prepare-kernels \
	check-lane-debian12 check-lane-debug check-lane-debian13 \
	check-lane-unstable check-vm-guests check-vm-docs \
	check-vm-debug-selftests check-soak \
	check-debug-run demo demo-pages bench lint clean kernels \
	check-vm-debian13 check-vm-unstable

all: module userspace

module:
	$(MAKE) -C kernel KDIR=$(KDIR)

userspace: helper emulator selftests

helper:
	$(MAKE) -C helper

emulator:
	$(MAKE) -C $(EMULATOR)

selftests:
	$(MAKE) -C $(SELFTESTS)

deps:
	$(TOP)/tools/testing/install-deps

# `check` installs first, then re-enters make so that TEST_KVER is read
# from the packages just installed.
check: deps
	$(MAKE) check-run

# The suites run in two phases of parallel lanes (CI has 2 cores and 60
# minutes; a guest under TCG keeps about half a core busy, so several
# lanes keep both cores working).  Phase 1, three lanes: the native suites
# and the quality gates, while the debug kernel is built and the newer
# kernels are fetched (nothing of phase 1 runs a guest, so it may rebuild
# what guests use).  Phase 2, four lanes, one per kernel: the guests of
# Debian 12's kernel, of the debug kernel, of Debian 13's and of
# unstable's.  Each suite's output goes to
# $(CHECK_DIR)/NAME.tap (RUN_SUITE_QUIET), the summary shows what failed.
LANES		:= RUN_SUITE_QUIET=1 $(MAKE) --no-print-directory

check-run:
	rm -rf $(CHECK_DIR)
	$(MAKE) -C kernel KDIR=$(TEST_KDIR)
	$(MAKE) -C $(POLL_DELAY) KDIR=$(TEST_KDIR)
	$(MAKE) userspace
	$(LANES) -j3 check-native-lint check-prepare-debug check-prepare-kernels
	$(MAKE) -C kernel KDIR=$(TEST_KDIR)
	$(LANES) -j4 check-lane-debian12 check-lane-debug check-lane-debian13 \
		check-lane-unstable
	$(TOP)/tools/testing/tap-summary $(CHECK_DIR)

# Phase 1's lanes.  A failed preparation shows as the failure of the
# suites that need it (vm-run says why), so it does not stop the others.
check-native-lint:
	$(MAKE) check-native
	$(MAKE) check-lint

check-prepare-debug:
	@echo "=== preparing the debug kernel (build/kdebug/)"
	@$(TOP)/tools/testing/vm/build-debug-kernel module >/dev/null || \
		echo "=== the debug kernel could not be built: its suites will fail"

# Phase 2's lanes, balanced by their seconds in a run of 2026-11-30 (the
# newer kernels' suites end first, so the soak and the documentation's
# commands, which boot guests of their own, follow them).
check-lane-debian12:
	$(MAKE) check-vm-guests
check-lane-debug:
	$(MAKE) check-vm-debug-selftests
check-lane-debian13:
	$(MAKE) check-vm-debian13
	$(MAKE) check-soak
check-lane-unstable:
	$(MAKE) check-vm-unstable
	$(MAKE) check-vm-docs

check-prepare-kernels:
	@echo "=== preparing the newer kernels: $(KERNELS) (log: build/kernels/prepare.log)"
	@mkdir -p $(TOP)/build/kernels
	@t0=$$(date +%s); \
	if $(MAKE) kernels >$(TOP)/build/kernels/prepare.log 2>&1; then \
		echo "=== the newer kernels are ready in $$(($$(date +%s) - t0)) s"; \
	else \
		echo "=== the newer kernels could not be prepared: their suites will fail"; \
		tail -n 30 $(TOP)/build/kernels/prepare.log; \
	fi

# Suites that run on the build machine.
check-native:
	$(RUN_SUITE) $(CHECK_DIR) helper $(MAKE) -s -C helper check
	$(RUN_SUITE) $(CHECK_DIR) emulator $(MAKE) -s -C $(EMULATOR) check
	$(RUN_SUITE) $(CHECK_DIR) rig $(TOP)/tools/testing/vm/test-log-check
	$(RUN_SUITE) $(CHECK_DIR) install $(TOP)/tools/testing/install/test-install
	$(RUN_SUITE) $(CHECK_DIR) dkms $(TOP)/tools/testing/install/test-dkms
	$(RUN_SUITE) $(CHECK_DIR) intree $(TOP)/tools/testing/install/test-intree
	$(RUN_SUITE) $(CHECK_DIR) docs $(TOP)/tools/testing/docs/test-docs
	$(RUN_SUITE) $(CHECK_DIR) bench-tools $(TOP)/tools/testing/bench/test-bench-tools

# The quality gates, and the helper's tests under ASan, UBSan and LSan
# (a separate build: the objects are rebuilt without sanitizers after).
check-lint:
	$(RUN_SUITE) $(CHECK_DIR) lint $(TOP)/tools/lint/run-lint
	$(RUN_SUITE) $(CHECK_DIR) helper-san sh -c '$(MAKE) -s -C $(TOP)/helper clean && \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MAKE) -s -C $(TOP)/helper check SAN=1; rc=$$?; \
		$(MAKE) -s -C $(TOP)/helper clean all >/dev/null; exit $$rc'

# Suites in guests of Debian's kernel (one boot each, about 3 s): the
# kselftest suite against the driver and the emulator, the helper end to
# end, the SANE backend with Debian's scanimage, saned and simple-scan,
# the emulator against an independent libusb client, its Fujitsu fi-7160
# personality against scanimage with SANE's own fujitsu backend, its --image
# pictures scanned end to end, the rig's own
# self-test, and every command the documentation shows (natively, then in
# one guest).
check-vm:
	$(MAKE) check-vm-guests
	$(MAKE) check-vm-docs

check-vm-guests:
	$(RUN_SUITE) $(CHECK_DIR) vm-selftests $(VM_RUN) --kernel debian -- \
		$(TOP)/$(SELFTESTS)/run_tests
	$(RUN_SUITE) $(CHECK_DIR) vm-helper $(VM_RUN) --kernel debian -- \
		$(TOP)/helper/tests/vm-scan-test
	$(RUN_SUITE) $(CHECK_DIR) vm-helper-tiff $(VM_RUN) --kernel debian -- \
		$(TOP)/helper/tests/vm-tiff-test
	$(RUN_SUITE) $(CHECK_DIR) vm-helper-client $(VM_RUN) --kernel debian -- \
		$(TOP)/helper/tests/vm-client-test
	$(RUN_SUITE) $(CHECK_DIR) vm-sane $(VM_RUN) --kernel debian -- \
		$(TOP)/helper/tests/vm-sane-test
	$(RUN_SUITE) $(CHECK_DIR) vm-fujitsu-helper $(VM_RUN) --kernel debian -- \
		$(TOP)/helper/tests/vm-fujitsu-helper-test
	$(RUN_SUITE) $(CHECK_DIR) vm-emulator $(VM_RUN) --kernel debian -- \
		$(TOP)/$(EMULATOR)/emu-selftest
	$(RUN_SUITE) $(CHECK_DIR) vm-fujitsu $(VM_RUN) --kernel debian -- \
		$(TOP)/$(EMULATOR)/vm-fujitsu-test
	$(RUN_SUITE) $(CHECK_DIR) vm-emulator-image $(VM_RUN) --kernel debian -- \
		$(TOP)/$(EMULATOR)/vm-image-test
	$(RUN_SUITE) $(CHECK_DIR) vm-rig $(TOP)/tools/testing/vm/test-vm-run
	$(RUN_SUITE) $(CHECK_DIR) vm-udev $(VM_RUN) --kernel debian --no-module -- \
		$(TOP)/tools/testing/install/vm-udev-test
	$(RUN_SUITE) $(CHECK_DIR) vm-example $(VM_RUN) --kernel debian -- \
		$(TOP)/tools/testing/docs/vm-example-test
	$(MAKE) check-vm-docs

# Every command the documentation shows, and a short soak (Debian 12's kernel).
check-vm-docs:
	$(RUN_SUITE) $(CHECK_DIR) doc-commands $(TOP)/tools/testing/docs/test-doc-commands
	$(RUN_SUITE) $(CHECK_DIR) soak-short $(TOP)/tools/testing/soak/soak \
		--kernel debian --pages 10

# The newer kernels (tools/testing/vm/kernel-cache): Debian 13's 6.12 and
# unstable's 7.2, each fetched into a cached chroot of its release under
# build/kernels/NAME/ (about 1 GB and 2-4 min the first time, seconds after;
# refreshed after 12 h).  `make kernels` prepares both (safe while other
# suites run: parallel callers wait on a lock).
KERNELS		:= debian13 unstable
kernels:
	for k in $(KERNELS); do \
		$(TOP)/tools/testing/vm/kernel-cache $$k prepare && \
		$(TOP)/tools/testing/vm/kernel-cache $$k module || exit 1; \
	done

# On each newer kernel: wiascan.ko built by that release's compiler, plain
# and at W=1, warning-free; the DKMS commands of installation.rst in its
# chroot; the whole kselftest suite (64- and 32-bit) and a subset of the
# helper's VM suites (KERNEL_VM_SUITES: the scan, TIFF, Fujitsu and SANE
# paths through the driver; the rest exercise user space that is the same
# on every kernel).  Each guest's log is judged by vm-run (log-check).
KERNEL_VM_SUITES := helper/tests/vm-scan-test helper/tests/vm-tiff-test \
	helper/tests/vm-fujitsu-helper-test helper/tests/vm-sane-test

check-vm-debian13 check-vm-unstable: check-vm-%:
	$(RUN_SUITE) $(CHECK_DIR) $*-build $(TOP)/tools/testing/vm/test-kernel-build $*
	$(RUN_SUITE) $(CHECK_DIR) $*-dkms $(TOP)/tools/testing/install/test-dkms --kernel $*
	$(RUN_SUITE) $(CHECK_DIR) $*-vm-selftests $(VM_RUN) --kernel $* -- \
		$(TOP)/$(SELFTESTS)/run_tests
	for t in $(KERNEL_VM_SUITES); do \
		$(RUN_SUITE) $(CHECK_DIR) $*-$$(basename $$t) $(VM_RUN) --kernel $* -- \
			$(TOP)/$$t || exit 1; \
	done

# The kselftest suite again on a KASAN/lockdep/kmemleak/UBSAN kernel built
# from linux-source-6.1 (about 5 min to build on 2 idle cores, then cached
# by its config's hash), and the 4 GiB, 1,120-page soak on it.  The fuzzer
# makes its 100,000 calls there too; KASAN under TCG slows each call, so
# its time limit is raised (Documentation/reliability.rst has the rates):
# 190 s on an idle machine, 480 s were not enough beside make check's
# three other guests (69,167 calls), hence 1200 s; and the guest's whole
# run took longer than vm-run's default 30 minutes there (1803 s).  The
# fuzzer's binary may run 1500 s (run_tests' default bound is 600 s: a
# later run needed 899 s for its 100,000 calls, was killed at 600 s, and
# the tests after it failed while its calls went on).
check-vm-debug:
	$(MAKE) check-vm-debug-selftests
	$(MAKE) check-soak

check-vm-debug-selftests:
	$(RUN_SUITE) $(CHECK_DIR) vm-debug-selftests $(VM_RUN) --kernel debug \
		--timeout 3600 -- env WIASCAN_FUZZ_SECONDS=1200 \
		WIASCAN_TEST_TIMEOUT=1500 $(TOP)/$(SELFTESTS)/run_tests

check-soak:
	$(RUN_SUITE) $(CHECK_DIR) soak $(TOP)/tools/testing/soak/soak

# Only the debug-kernel suites (a part of make check), into build/check-debug.
check-debug: deps
	$(MAKE) userspace
	$(MAKE) CHECK_DIR=$(CHECK_DIR)-debug check-debug-run

check-debug-run:
	rm -rf $(CHECK_DIR)
	$(MAKE) check-vm-debug
	$(TOP)/tools/testing/tap-summary $(CHECK_DIR)

# A real scan: a two-page letter from the reference scanner's ADF in the VM
# into a multipage TIFF on the host (build/demo/scan.tif) with a PNG
# preview, then the same pages through SANE's scanimage.
demo:
	$(TOP)/tools/demo/demo

# The letter the demo scans: typeset at build time from this repository's
# text (tools/demo/make-pages); the same bytes on every build.
DEMO_PAGES	:= $(TOP)/build/demo/page-1.pnm $(TOP)/build/demo/page-2.pnm

demo-pages: $(DEMO_PAGES)

$(DEMO_PAGES) &: $(TOP)/tools/demo/make-pages $(TOP)/README.md \
		$(TOP)/Documentation/reference-protocol.rst $(TOP)/VERSION
	$(TOP)/tools/demo/make-pages $(TOP)/build/demo

# Figures, not pass/fail: the helper's file path against a plain write loop
# and every compression on document pages (native), then wiascan.ko's mmap
# ring and read() against libusb and the usbtest ceiling, side by side in
# one guest, then the SANE path against the CLI in another; last, every
# build/bench/*.json into build/bench/report.md and PNG plots
# (tools/testing/bench/README).
bench: deps
	$(MAKE) -C helper bench
	$(TOP)/tools/testing/bench/kernel-bench
	$(TOP)/tools/testing/bench/sane-bench
	$(TOP)/tools/testing/bench/fujitsu-bench
	$(TOP)/tools/testing/bench/report

# The quality gates, one TAP line each (tools/lint/README).
lint: deps
	$(TOP)/tools/lint/run-lint

clean:
	-$(MAKE) -C kernel KDIR=$(KDIR) clean
	-$(MAKE) -C helper clean
	-$(MAKE) -C $(EMULATOR) clean
	-$(MAKE) -C $(POLL_DELAY) KDIR=$(TEST_KDIR) clean
	-$(MAKE) -C $(SELFTESTS) clean
	-$(MAKE) -C tools/testing/bench clean
	rm -rf $(TOP)/build

# make install, make uninstall (DESTDIR, PREFIX): tools/install/install.mk
include $(TOP)/tools/install/install.mk
