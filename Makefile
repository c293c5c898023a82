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
# make check's guests have one CPU, but for the debug kernel's (DEBUG_SMP):
# the kselftest suite took the same 450 s on one as on two, and 154
# instead of 227 s of the host's CPU (TCG keeps both CPUs' threads busy
# for one guest's work), which four suites at once on CI's 2 cores need.
# The debug kernel's guests keep two, for its lock and memory checkers to
# see calls from two CPUs at once.
VM_RUN		:= $(TOP)/tools/testing/vm/vm-run --smp 1
DEBUG_SMP	:= --smp 2
RUN_SUITE	:= $(TOP)/tools/testing/run-suite
# The newer kernels make check runs on, beside Debian 12's (kernel-cache)
KERNELS		:= debian13 unstable

.PHONY: all module userspace helper emulator selftests deps check check-run \
	check-native check-lint check-native-lint check-vm check-vm-debug \
	check-debug check-debug-run check-prepare-debug \
	$(addprefix check-prepare-,$(KERNELS)) $(addprefix check-vm-,$(KERNELS)) \
	demo demo-pages bench lint clean kernels

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

# The suites run five at a time (CI has 2 cores and 60 minutes; a guest
# under TCG keeps about half a core busy, the debug kernel's about one).
# Every suite is a make target of its own (suite-NAME), and
# tools/testing/run-queue hands the next one to the first free slot, in
# the order of tools/testing/check-queue: first what others wait for (the
# debug kernel, the newer kernels' chroots), then the longest suites, so
# the run ends when the work does.  No suite changes what another one
# uses: the gates and the sanitized helper build in copies under build/,
# the debug kernel and the newer kernels' modules have trees of their
# own, a newer kernel's guests wait for its DKMS test (which installs
# into its chroot), and every guest has its own /tmp.  The builds (the
# chroots, the gates, the in-tree kernel) run under nice, so the guests'
# timed cases keep their pace; not the debug kernel's, which its suites,
# the longest, wait for.  Each suite's output
# goes to $(CHECK_DIR)/NAME.tap (RUN_SUITE_QUIET); the summary shows what
# failed and where the time went.
CHECK_JOBS	:= 5
NICE		:= nice -n 10

check-run:
	rm -rf $(CHECK_DIR)
	$(MAKE) -C kernel KDIR=$(TEST_KDIR)
	$(MAKE) -C $(POLL_DELAY) KDIR=$(TEST_KDIR)
	$(MAKE) userspace
	mkdir -p $(CHECK_DIR) && head -n 1 /proc/stat >$(CHECK_DIR)/cpu.start
	-RUN_SUITE_QUIET=1 RUN_QUEUE_FAILED=$(CHECK_DIR)/queue.failed \
		$(TOP)/tools/testing/run-queue $(CHECK_JOBS) \
		$(TOP)/tools/testing/check-queue
	head -n 1 /proc/stat >$(CHECK_DIR)/cpu.end
	$(TOP)/tools/testing/tap-summary $(CHECK_DIR)

# The preparations.  A failed one shows as the failure of the suites that
# need it (vm-run says why), so it does not stop the others.
check-prepare-debug:
	@echo "=== preparing the debug kernel (build/kdebug/)"
	@$(TOP)/tools/testing/vm/build-debug-kernel module >/dev/null || \
		echo "=== the debug kernel could not be built: its suites will fail"

$(addprefix check-prepare-,$(KERNELS)): check-prepare-%:
	@echo "=== preparing kernel $* (log: build/kernels/$*.log)"
	@mkdir -p $(TOP)/build/kernels
	@t0=$$(date +%s); \
	if $(NICE) sh -c '$(TOP)/tools/testing/vm/kernel-cache $* prepare && \
		$(TOP)/tools/testing/vm/kernel-cache $* module' \
		>$(TOP)/build/kernels/$*.log 2>&1; then \
		echo "=== kernel $* is ready in $$(($$(date +%s) - t0)) s"; \
	else \
		echo "=== kernel $* could not be prepared: its suites will fail"; \
		tail -n 30 $(TOP)/build/kernels/$*.log; \
	fi

# The newer kernels (tools/testing/vm/kernel-cache): Debian 13's 6.12 and
# unstable's 7.2, each fetched into a cached chroot of its release under
# build/kernels/NAME/ (about 1 GB and 2-4 min the first time, seconds after;
# refreshed after 12 h).  `make kernels` prepares both (safe while other
# suites run: parallel callers wait on a lock).
kernels:
	for k in $(KERNELS); do \
		$(TOP)/tools/testing/vm/kernel-cache $$k prepare && \
		$(TOP)/tools/testing/vm/kernel-cache $$k module || exit 1; \
	done

# Suites that run on the build machine, then the quality gates and the
# helper's tests under ASan, UBSan and LSan.  The sanitized build is made
# in a copy of helper/, include/ and completion/ (build/helper-san/):
# guests running beside it use helper/'s binaries.
SAN_TREE	:= $(TOP)/build/helper-san
check-native-lint:
	$(MAKE) check-native
	$(MAKE) check-lint

check-native:
	$(RUN_SUITE) $(CHECK_DIR) helper $(MAKE) -s -C helper check
	$(RUN_SUITE) $(CHECK_DIR) emulator $(MAKE) -s -C $(EMULATOR) check
	$(RUN_SUITE) $(CHECK_DIR) rig $(TOP)/tools/testing/vm/test-log-check
	$(RUN_SUITE) $(CHECK_DIR) install $(TOP)/tools/testing/install/test-install
	$(RUN_SUITE) $(CHECK_DIR) dkms $(TOP)/tools/testing/install/test-dkms
	$(RUN_SUITE) $(CHECK_DIR) intree $(NICE) $(TOP)/tools/testing/install/test-intree
	$(RUN_SUITE) $(CHECK_DIR) docs $(TOP)/tools/testing/docs/test-docs
	$(RUN_SUITE) $(CHECK_DIR) bench-tools $(TOP)/tools/testing/bench/test-bench-tools
	$(RUN_SUITE) $(CHECK_DIR) queue $(TOP)/tools/testing/test-check-queue

check-lint:
	$(RUN_SUITE) $(CHECK_DIR) lint $(NICE) $(TOP)/tools/lint/run-lint
	rm -rf $(SAN_TREE) && mkdir -p $(SAN_TREE) && \
		cp -a $(TOP)/helper $(TOP)/include $(TOP)/completion $(SAN_TREE)/ && \
		$(MAKE) -s -C $(SAN_TREE)/helper TOP=$(TOP) clean
	$(RUN_SUITE) $(CHECK_DIR) helper-san env \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MAKE) -s -C $(SAN_TREE)/helper TOP=$(TOP) check SAN=1

# Suites in guests of Debian 12's kernel (one boot each, about 3 s): the
# kselftest suite against the driver and the emulator, the helper end to
# end, the SANE backend with Debian's scanimage, saned and simple-scan,
# the emulator against an independent libusb client, its Fujitsu fi-7160
# personality against scanimage with SANE's own fujitsu backend, its
# --image pictures scanned end to end, the rig's own self-test, the udev
# rules, the documentation's example program, every command the
# documentation shows (natively, then in one guest) and a short soak.
VM_GUEST_SUITES	:= suite-vm-selftests suite-vm-helper suite-vm-helper-tiff \
	suite-vm-helper-client suite-vm-sane suite-vm-fujitsu-helper \
	suite-vm-emulator suite-vm-fujitsu suite-vm-emulator-image suite-vm-rig \
	suite-vm-udev suite-vm-example suite-doc-commands suite-soak-short

check-vm: $(VM_GUEST_SUITES)

suite-vm-selftests:
	$(RUN_SUITE) $(CHECK_DIR) vm-selftests $(VM_RUN) --kernel debian -- \
		$(TOP)/$(SELFTESTS)/run_tests
suite-vm-helper:
	$(RUN_SUITE) $(CHECK_DIR) vm-helper $(VM_RUN) --kernel debian -- \
		$(TOP)/helper/tests/vm-scan-test
suite-vm-helper-tiff:
	$(RUN_SUITE) $(CHECK_DIR) vm-helper-tiff $(VM_RUN) --kernel debian -- \
		$(TOP)/helper/tests/vm-tiff-test
suite-vm-helper-client:
	$(RUN_SUITE) $(CHECK_DIR) vm-helper-client $(VM_RUN) --kernel debian \
		--timeout 900 -- $(TOP)/helper/tests/vm-client-test
suite-vm-sane:
	$(RUN_SUITE) $(CHECK_DIR) vm-sane $(VM_RUN) --kernel debian \
		--timeout 900 -- $(TOP)/helper/tests/vm-sane-test
suite-vm-fujitsu-helper:
	$(RUN_SUITE) $(CHECK_DIR) vm-fujitsu-helper $(VM_RUN) --kernel debian -- \
		$(TOP)/helper/tests/vm-fujitsu-helper-test
suite-vm-emulator:
	$(RUN_SUITE) $(CHECK_DIR) vm-emulator $(VM_RUN) --kernel debian -- \
		$(TOP)/$(EMULATOR)/emu-selftest
suite-vm-fujitsu:
	$(RUN_SUITE) $(CHECK_DIR) vm-fujitsu $(VM_RUN) --kernel debian -- \
		$(TOP)/$(EMULATOR)/vm-fujitsu-test
suite-vm-emulator-image:
	$(RUN_SUITE) $(CHECK_DIR) vm-emulator-image $(VM_RUN) --kernel debian -- \
		$(TOP)/$(EMULATOR)/vm-image-test
suite-vm-rig:
	$(RUN_SUITE) $(CHECK_DIR) vm-rig $(TOP)/tools/testing/vm/test-vm-run
suite-vm-udev:
	$(RUN_SUITE) $(CHECK_DIR) vm-udev $(VM_RUN) --kernel debian --no-module -- \
		$(TOP)/tools/testing/install/vm-udev-test
suite-vm-example:
	$(RUN_SUITE) $(CHECK_DIR) vm-example $(VM_RUN) --kernel debian -- \
		$(TOP)/tools/testing/docs/vm-example-test
suite-doc-commands:
	$(RUN_SUITE) $(CHECK_DIR) doc-commands $(TOP)/tools/testing/docs/test-doc-commands
suite-soak-short:
	$(RUN_SUITE) $(CHECK_DIR) soak-short $(TOP)/tools/testing/soak/soak \
		--kernel debian --pages 10

# On each newer kernel: wiascan.ko built by that release's compiler, plain
# and at W=1, warning-free; the DKMS commands of installation.rst in its
# chroot; then, in guests of that kernel, the whole kselftest suite (64-
# and 32-bit) and a subset of the helper's VM suites (KERNEL_VM_SUITES:
# the ring through the helper, and the Fujitsu protocol's bulk write() and
# read(); the helper's other VM suites exercise user space that is the same
# on every kernel, over the same driver calls).  Each guest's log is judged
# by vm-run (log-check).  `make check-vm-debian13` runs one kernel's.
KERNEL_VM_SUITES := helper/tests/vm-scan-test helper/tests/vm-fujitsu-helper-test
KERNEL_VM_SUITE_NAMES := $(notdir $(KERNEL_VM_SUITES))

define kernel_suites
check-vm-$(1): check-prepare-$(1) suite-$(1)-build suite-$(1)-dkms \
	suite-$(1)-vm-selftests $(patsubst %,suite-$(1)-%,$(KERNEL_VM_SUITE_NAMES))
suite-$(1)-build:
	$$(RUN_SUITE) $$(CHECK_DIR) $(1)-build $$(TOP)/tools/testing/vm/test-kernel-build $(1)
suite-$(1)-dkms:
	$$(RUN_SUITE) $$(CHECK_DIR) $(1)-dkms $$(TOP)/tools/testing/install/test-dkms --kernel $(1)
suite-$(1)-vm-selftests:
	$$(RUN_SUITE) $$(CHECK_DIR) $(1)-vm-selftests $$(VM_RUN) --kernel $(1) -- \
		$$(TOP)/$$(SELFTESTS)/run_tests
$(foreach t,$(KERNEL_VM_SUITES),
suite-$(1)-$(notdir $(t)):
	$$(RUN_SUITE) $$(CHECK_DIR) $(1)-$(notdir $(t)) $$(VM_RUN) --kernel $(1) -- \
		$$(TOP)/$(t)
)
endef
$(foreach k,$(KERNELS),$(eval $(call kernel_suites,$(k))))

# The kselftest suite again on a KASAN/lockdep/kmemleak/UBSAN kernel built
# from linux-source-6.1 (about 5 min to build on 2 idle cores, then cached
# by its config's hash), in two guests that may run side by side: the
# fuzzer's 100,000 calls, the helper's faults (110 SIGKILL runs) and the
# lifecycle tests (200 plug cycles, module unload), about 500 s on a
# quiet machine; and the rest, about 650 s.  Then the 4 GiB, 1,120-page soak on it.  KASAN
# under TCG slows each call, so the fuzzer's time limit is raised
# (Documentation/reliability.rst has the rates): 190 s on an idle
# machine, 480 s were not enough beside make check's three other guests
# (69,167 calls), hence 1200 s; run_tests' bound per binary, 600 s by
# default, is raised to match (a run needed 899 s for its 100,000 calls).
DEBUG_STRESS	:= fuzz_test helper_faults_test lifecycle_test
DEBUG_REST	:= $(filter-out $(DEBUG_STRESS),$(shell $(TOP)/$(SELFTESTS)/run_tests --list))

check-vm-debug: check-prepare-debug suite-vm-debug-selftests \
	suite-vm-debug-stress suite-soak

suite-vm-debug-selftests:
	$(RUN_SUITE) $(CHECK_DIR) vm-debug-selftests $(VM_RUN) --kernel debug \
		$(DEBUG_SMP) --timeout 2400 -- $(TOP)/$(SELFTESTS)/run_tests $(DEBUG_REST)
suite-vm-debug-stress:
	$(RUN_SUITE) $(CHECK_DIR) vm-debug-stress $(VM_RUN) --kernel debug \
		$(DEBUG_SMP) --timeout 2400 -- env WIASCAN_FUZZ_SECONDS=1200 \
		WIASCAN_TEST_TIMEOUT=1500 $(TOP)/$(SELFTESTS)/run_tests $(DEBUG_STRESS)
suite-soak:
	$(RUN_SUITE) $(CHECK_DIR) soak $(TOP)/tools/testing/soak/soak --timeout 1800

# Every suite target of check-queue is phony: none makes a file.
.PHONY: $(shell sed 's/\#.*//' $(TOP)/tools/testing/check-queue | awk '{ print $$1 }')

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
