# SPDX-License-Identifier: GPL-2.0
#
# make install / make uninstall, included by the top-level Makefile.
#
#   make && sudo make install          module into /lib/modules/KVER/updates
#                                      (then depmod), the rest under PREFIX
#   make install DESTDIR=/tmp/stage PREFIX=/usr   staging for a package
#   sudo make uninstall                the same variables as install
#
# KVER defaults to the release the module was built for (its vermagic), so
# `make KDIR=/lib/modules/R/build && make install` installs it for R.
# The rules, variables and the depmod policy are in install.sh.
#
# install brings the module up to date against the kernel tree it was
# built for, not against the running kernel's: KDIR when given (make
# install KDIR=...), else /lib/modules/R/build for the release R that
# kernel/wiascan.ko was built for, when that tree is there; when it is not
# (a tree elsewhere, since moved), the module is installed as it was
# built.  Only when there is no module yet does install build one against
# the default KDIR (the running kernel's).

# Included anywhere in a Makefile, this file never becomes its default goal.
wiascan_saved_goal := $(.DEFAULT_GOAL)

PREFIX		?= /usr/local
INSTALL_SH	:= $(TOP)/tools/install/install.sh
# Every variable install.sh reads, passed only when set.
INSTALL_VARS	:= DESTDIR PREFIX BINDIR INCLUDEDIR MANDIR UDEVRULESDIR \
		   BASHCOMPDIR SANEDIR SANECONFDIR KVER MODDIR DEPMOD
INSTALL_ENV	 = $(foreach v,$(INSTALL_VARS),$(if $($(v)),$(v)='$($(v))'))

.PHONY: install uninstall

# The release kernel/wiascan.ko was built for, when KDIR was not given
# (expanded only by install-module's recipe; modinfo is in /sbin).
ifeq ($(filter command line environment,$(origin KDIR)),)
INSTALL_BUILT_KVER = $(shell PATH="$$PATH:/usr/sbin:/sbin" modinfo -F vermagic \
			$(TOP)/kernel/wiascan.ko 2>/dev/null | cut -d' ' -f1)
INSTALL_BUILT_TREE = /lib/modules/$(INSTALL_BUILT_KVER)/build
INSTALL_BUILT_KDIR = $(if $(wildcard $(INSTALL_BUILT_TREE)/Makefile),$(INSTALL_BUILT_TREE))
INSTALL_KDIR	   = $(if $(INSTALL_BUILT_KVER),$(INSTALL_BUILT_KDIR),$(KDIR))
else
INSTALL_KDIR	   = $(KDIR)
endif

.PHONY: install-module

install-module:
	$(if $(INSTALL_KDIR),$(MAKE) -C $(TOP)/kernel KDIR=$(INSTALL_KDIR),@echo \
		"install: kernel/wiascan.ko was built for $(INSTALL_BUILT_KVER), whose tree" \
		"is not at $(INSTALL_BUILT_TREE): installing it as built")

install: install-module helper
	env $(INSTALL_ENV) $(INSTALL_SH) install

uninstall:
	env $(INSTALL_ENV) $(INSTALL_SH) uninstall

.DEFAULT_GOAL := $(wiascan_saved_goal)
