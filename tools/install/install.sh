#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install.sh install|uninstall|list|dkms-source
#
# Installs what `make` built (`make install` and `make uninstall` call this
# through tools/install/install.mk):
#
#   wiascan.ko          /lib/modules/KVER/updates/       then depmod
#   wiascan-helper      PREFIX/bin/
#   wiascan.h (uapi)    PREFIX/include/linux/
#   60-wiascan.rules    PREFIX/lib/udev/rules.d/
#   wiascan.4, wiascan-helper.1   PREFIX/share/man/man4/, man1/
#   bash completion     PREFIX/share/bash-completion/completions/
#   libsane-wiascan.so.1, .so     SANEDIR/ (the SANE backend, and the
#                       symlink every Debian backend has)
#   dll.d/wiascan       SANECONFDIR/dll.d/ (its name, for SANE's dll backend)
#   sane-wiascan.5      PREFIX/share/man/man5/
#
# The backend and its dll.d entry go where Debian's SANE looks for them,
# whatever PREFIX: SANEDIR is `pkg-config --variable=libdir sane-backends`
# followed by /sane (/usr/lib/x86_64-linux-gnu/sane on Debian 12 amd64),
# SANECONFDIR is /etc/sane.d.  (A backend under /usr/local would never be
# loaded: dll searches only its built-in directory and LD_LIBRARY_PATH.)
# The backend reads no configuration file of its own (its scanners come
# from sysfs), so there is no wiascan.conf.
#
# Variables (from the environment; make passes its own):
#   DESTDIR       staging root prepended to every path (packages, tests)
#   PREFIX        user-space prefix, default /usr/local
#   BINDIR INCLUDEDIR MANDIR UDEVRULESDIR BASHCOMPDIR   finer overrides
#   SANEDIR       the SANE backends' directory (default: from pkg-config)
#   SANECONFDIR   SANE's configuration directory, default /etc/sane.d
#   KVER          kernel release of the module; default: the vermagic of
#                 kernel/wiascan.ko (the kernel it was built for)
#   MODDIR        default /lib/modules/KVER/updates: "updates" comes
#                 before the distribution's own modules in depmod's search
#                 order, as DKMS's updates/dkms does
#   DEPMOD        depmod program, or "no" to skip it
#
# depmod: without DESTDIR it indexes the live system's modules for KVER, so
# that the module autoloads by modalias.  With DESTDIR it runs (depmod -b
# DESTDIR) only when DESTDIR/lib/modules/KVER already has an index, that is
# when DESTDIR is a whole system image; a package's staging tree holds only
# our files, and an index made from them would list nothing else and must
# not be shipped: the package's post-install step runs depmod on the target.
#
# dkms-source copies what DKMS needs (dkms.conf, VERSION, kernel/ sources,
# the uapi header) to DESTDIR/usr/src/wiascan-VERSION, for `dkms add`.
#
# uninstall removes exactly the files install puts; with DESTDIR it also
# removes the directories left empty below DESTDIR (a staging tree ends
# empty), without DESTDIR it leaves directories alone (/usr/local/bin and
# friends belong to the system, not to us).
#
# The "scanner" group of the udev rules is not created here: Debian's
# sane-utils creates it (addgroup --system scanner), as an administrator
# can.  A missing group is reported, not silently added.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:-}

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
MANDIR=${MANDIR:-$PREFIX/share/man}
UDEVRULESDIR=${UDEVRULESDIR:-$PREFIX/lib/udev/rules.d}
BASHCOMPDIR=${BASHCOMPDIR:-$PREFIX/share/bash-completion/completions}
SANECONFDIR=${SANECONFDIR:-/etc/sane.d}
DEPMOD=${DEPMOD:-depmod}
PATH=$PATH:/usr/sbin:/sbin

ko=$top/kernel/wiascan.ko

msg() {
	echo "install.sh: $*" >&2
}

die() {
	msg "$*"
	exit 1
}

kernel_release() {
	if [ -n "${KVER:-}" ]; then
		echo "$KVER"
	elif [ -e "$ko" ]; then
		modinfo -F vermagic "$ko" | cut -d' ' -f1
	elif [ "$cmd" = install ]; then
		die "$ko is missing: run make first"
	else
		uname -r
	fi
}

# Where Debian's dll backend loads backends from (libsane-dev's
# sane-backends.pc); asked only by the commands that need it.
sane_dir() {
	if [ -n "${SANEDIR:-}" ]; then
		echo "$SANEDIR"
		return
	fi
	libdir=$(pkg-config --variable=libdir sane-backends 2>/dev/null) ||
		libdir=
	[ -n "$libdir" ] ||
		die "pkg-config knows no sane-backends (apt-get install libsane-dev, or set SANEDIR)"
	echo "$libdir/sane"
}

KVER=$(kernel_release)
[ -n "$KVER" ] || die "cannot tell the kernel release of $ko (set KVER)"
MODDIR=${MODDIR:-/lib/modules/$KVER/updates}

# The manifest: "mode source destination" per line, destinations without
# DESTDIR; mode "link" makes destination a symbolic link to source.  The
# helper's man page comes with the helper's documentation and is installed
# once it exists.
manifest() {
	echo "0644 kernel/wiascan.ko $MODDIR/wiascan.ko"
	echo "0755 helper/wiascan-helper $BINDIR/wiascan-helper"
	echo "0644 include/uapi/linux/wiascan.h $INCLUDEDIR/linux/wiascan.h"
	echo "0644 udev/60-wiascan.rules $UDEVRULESDIR/60-wiascan.rules"
	echo "0644 Documentation/man/wiascan.4 $MANDIR/man4/wiascan.4"
	if [ -e "$top/Documentation/man/wiascan-helper.1" ]; then
		echo "0644 Documentation/man/wiascan-helper.1 $MANDIR/man1/wiascan-helper.1"
	fi
	echo "0644 completion/wiascan-helper.bash $BASHCOMPDIR/wiascan-helper"
	echo "0644 helper/sane/libsane-wiascan.so.1 $SANEDIR/libsane-wiascan.so.1"
	echo "link libsane-wiascan.so.1 $SANEDIR/libsane-wiascan.so"
	echo "0644 helper/sane/dll.d-wiascan $SANECONFDIR/dll.d/wiascan"
	echo "0644 Documentation/man/sane-wiascan.5 $MANDIR/man5/sane-wiascan.5"
}

# headers_install does this to every uapi header: user space sees the
# guard without the _UAPI prefix.
install_header() {
	sed -E 's@^#(ifndef|define|endif[[:space:]]*/[*])[[:space:]]*_UAPI@#\1 @' \
		"$1" >"$2.tmp"
	chmod "$3" "$2.tmp"
	mv "$2.tmp" "$2"
}

run_depmod() {
	[ "$DEPMOD" != no ] || return 0
	if [ -z "$DESTDIR" ]; then
		"$DEPMOD" -a "$KVER" || die "$DEPMOD -a $KVER failed"
	elif [ -e "$DESTDIR/lib/modules/$KVER/modules.dep" ]; then
		"$DEPMOD" -b "$DESTDIR" -a "$KVER" ||
			die "$DEPMOD -b $DESTDIR -a $KVER failed"
	else
		msg "DESTDIR has no module index for $KVER: not running depmod" \
			"(run depmod -a $KVER on the target)"
	fi
}

reload_udev() {
	[ -z "$DESTDIR" ] && [ -S /run/udev/control ] || return 0
	udevadm control --reload || msg "udevadm control --reload failed"
}

check_group() {
	[ -z "$DESTDIR" ] || return 0
	getent group scanner >/dev/null && return 0
	msg "note: the group \"scanner\" does not exist, so the device nodes" \
		"stay root:root; create it (apt-get install sane-utils, or" \
		"groupadd --system scanner) and add the scanner's users to it"
}

do_install() {
	manifest | while read -r mode src dst; do
		mkdir -p "$DESTDIR$(dirname "$dst")"
		if [ "$mode" = link ]; then
			ln -sfn "$src" "$DESTDIR$dst"
			echo "  LINK    $DESTDIR$dst -> $src"
			continue
		fi
		[ -e "$top/$src" ] || die "$top/$src is missing: run make first"
		case $src in
		include/uapi/*) install_header "$top/$src" "$DESTDIR$dst" "$mode" ;;
		*) install -m "$mode" "$top/$src" "$DESTDIR$dst" ;;
		esac
		echo "  INSTALL $DESTDIR$dst"
	done
	run_depmod
	reload_udev
	check_group
}

# Remove DIR and its parents while they are empty, stopping at DESTDIR.
prune_dirs() {
	dir=$1
	while [ "$dir" != "$DESTDIR" ] && [ "${dir#"$DESTDIR"/}" != "$dir" ]; do
		rmdir "$dir" 2>/dev/null || return 0
		dir=$(dirname "$dir")
	done
}

do_uninstall() {
	manifest | while read -r _ _ dst; do
		[ -e "$DESTDIR$dst" ] || [ -L "$DESTDIR$dst" ] || continue
		rm -f "$DESTDIR$dst"
		echo "  REMOVE  $DESTDIR$dst"
		[ -z "$DESTDIR" ] || prune_dirs "$DESTDIR$(dirname "$dst")"
	done
	# the helper's man page may have gone from the tree since install
	rm -f "$DESTDIR$MANDIR/man1/wiascan-helper.1"
	[ -z "$DESTDIR" ] || prune_dirs "$DESTDIR$MANDIR/man1"
	run_depmod
	reload_udev
}

# The sources DKMS builds from, without build products.
do_dkms_source() {
	version=$(cat "$top/VERSION")
	dst=$DESTDIR/usr/src/wiascan-$version
	rm -rf "$dst"
	mkdir -p "$dst/kernel" "$dst/include/uapi/linux"
	install -m 0644 "$top/dkms.conf" "$top/VERSION" "$dst/"
	install -m 0644 "$top"/kernel/Kbuild "$top"/kernel/Makefile \
		"$top"/kernel/*.c "$top"/kernel/*.h "$dst/kernel/"
	rm -f "$dst"/kernel/*.mod.c
	install -m 0644 "$top/include/uapi/linux/wiascan.h" "$dst/include/uapi/linux/"
	echo "$dst"
}

case $cmd in
install | uninstall | list)
	SANEDIR=$(sane_dir) || exit 1
	;;
esac

case $cmd in
install) do_install ;;
dkms-source) do_dkms_source ;;
uninstall) do_uninstall ;;
list) manifest | while read -r _ _ dst; do echo "$dst"; done ;;
*)
	echo "usage: $0 install|uninstall|list|dkms-source" >&2
	exit 2
	;;
esac
