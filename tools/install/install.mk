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

# Included anywhere in a Makefile, this file never becomes its default goal.
wiascan_saved_goal := $(.DEFAULT_GOAL)

PREFIX		?= /usr/local
INSTALL_SH	:= $(TOP)/tools/install/install.sh
# Every variable install.sh reads, passed only when set.
INSTALL_VARS	:= DESTDIR PREFIX BINDIR INCLUDEDIR MANDIR UDEVRULESDIR \
		   BASHCOMPDIR KVER MODDIR DEPMOD
INSTALL_ENV	 = $(foreach v,$(INSTALL_VARS),$(if $($(v)),$(v)='$($(v))'))

.PHONY: install uninstall

install: module helper
	env $(INSTALL_ENV) $(INSTALL_SH) install

uninstall:
	env $(INSTALL_ENV) $(INSTALL_SH) uninstall

.DEFAULT_GOAL := $(wiascan_saved_goal)
