# SPDX-License-Identifier: GPL-2.0
# make -f Makefile -f print.mk print-VAR: print a variable of a Makefile
# (run-lint asks helper/Makefile for its TESTS this way)
print-%:
	@echo $($*)
