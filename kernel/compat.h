/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wiascan: the differences between the kernels the driver is built for
 *
 * Every kernel API the driver uses that differs between the supported
 * kernels is handled here, once, so that the driver's code reads the same
 * on every kernel: it calls today's API, and this header supplies it on the
 * kernels that lack it.  Each entry names the version where the API changed
 * and why the driver needs it.
 *
 * Checked (built plain and at W=1 without a warning, and the kselftest and
 * helper suites run in the VM): 6.1 (Debian 12), 6.12 (Debian 13) and 7.2
 * (Debian unstable).  6.12 and 7.2 need no entry; 6.1 needs the one below.
 * The test is for the API itself where a distribution may have backported
 * it (Kbuild greps the headers), else for the version.
 */
#ifndef WIASCAN_COMPAT_H
#define WIASCAN_COMPAT_H

#include <linux/mm.h>

/*
 * vm_flags_set(), vm_flags_clear(): 6.3 made &vm_area_struct.vm_flags
 * const and added these (commit bc292ab00f6c, "mm: introduce
 * vma->vm_flags wrapper functions") so that a flag change takes the
 * mmap_lock checks; queue.c's mmap sets VM_DONTEXPAND and friends, and
 * clears VM_MAYWRITE (the ring is read-only to user space).  Before 6.3 the field is
 * written directly.  Kbuild defines WIASCAN_COMPAT_VM_FLAGS when the
 * headers lack vm_flags_set() (a stable kernel may carry the backport).
 */
#ifdef WIASCAN_COMPAT_VM_FLAGS
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* WIASCAN_COMPAT_H */
