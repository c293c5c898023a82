// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan: the exclusive claim
 *
 * One open file at a time owns a scanner (include/uapi/linux/wiascan.h,
 * &struct wiascan_claim).  Everything that can change the scanner's state
 * or take its data needs the claim; core.c asks for it with
 * wiascan_owner_take() before such a call reaches the transport or the
 * queue, which takes it implicitly when nobody holds it.  The claim ends
 * at UNCLAIM or when the owning file is released, never otherwise.
 *
 * The claim is per open file, like the queue's ownership: descriptors
 * duplicated with dup() or inherited across fork() share it.  @pid only
 * says which process to name to the others.
 *
 * A guarded call checks the claim once, before it starts; only REQBUFS
 * keeps the claim's lock over its work (see wiascan_ioc_reqbufs()).  So an
 * UNCLAIM by another thread of the owning file does not wait for that
 * file's calls already in progress: a write() that passed the check still
 * completes, possibly after another file claimed.  Only the owning file
 * can end its claim this way, so it is that program racing itself; a
 * file that is being released has no call in progress.
 */

#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "wiascan.h"

void wiascan_owner_init(struct wiascan_owner *o)
{
	mutex_init(&o->lock);
	o->file = NULL;
	o->pid = NULL;
	o->abandoned = false;
}

/* Make @file the owner, naming the calling process */
static void wiascan_owner_set(struct wiascan_owner *o, const void *file)
{
	lockdep_assert_held(&o->lock);
	put_pid(o->pid);
	o->pid = get_pid(task_tgid(current));
	WRITE_ONCE(o->file, file);
}

static void wiascan_owner_clear(struct wiascan_owner *o)
{
	lockdep_assert_held(&o->lock);
	put_pid(o->pid);
	o->pid = NULL;
	WRITE_ONCE(o->file, NULL);
}

/**
 * wiascan_owner_take_locked() - the implicit claim of a guarded call
 * @o: the claim
 * @file: the calling file
 *
 * Context: holds @o->lock, for a caller that must keep the claim stable
 * over its operation (REQBUFS).
 * Return: 0 if @file owns the scanner (taking the claim if it was free),
 * -EBUSY if another file does.
 */
int wiascan_owner_take_locked(struct wiascan_owner *o, const void *file)
{
	lockdep_assert_held(&o->lock);
	if (o->file == file)
		return 0;
	if (o->file)
		return -EBUSY;
	wiascan_owner_set(o, file);
	return 0;
}

/**
 * wiascan_owner_take() - the implicit claim of a guarded call
 * @o: the claim
 * @file: the calling file
 *
 * Return: 0 if @file owns the scanner (taking the claim if it was free),
 * -EBUSY if another file does: the call must then not reach the device.
 */
int wiascan_owner_take(struct wiascan_owner *o, const void *file)
{
	int ret;

	/* the owner's own calls are the common case: no lock to see it */
	if (READ_ONCE(o->file) == file)
		return 0;
	mutex_lock(&o->lock);
	ret = wiascan_owner_take_locked(o, file);
	mutex_unlock(&o->lock);
	return ret;
}

/**
 * wiascan_owner_claim() - WIASCAN_IOC_CLAIM
 * @dev: the device
 * @file: the calling file
 * @claim: in: checked (flags and reserved zero); out: flags and owner_pid
 *
 * Return: 0 with @claim filled; -EBUSY with @claim->owner_pid naming the
 * owner; -ENODEV after an unplug; -EINVAL for unknown flags or reserved
 * fields that are not zero.
 */
int wiascan_owner_claim(struct wiascan_dev *dev, const void *file,
			struct wiascan_claim *claim)
{
	struct wiascan_owner *o = &dev->owner;
	int ret = 0;

	if (claim->flags || memchr_inv(claim->reserved, 0,
				       sizeof(claim->reserved)))
		return -EINVAL;

	mutex_lock(&o->lock);
	if (READ_ONCE(dev->disconnected)) {
		ret = -ENODEV;
	} else if (o->file && o->file != file) {
		ret = -EBUSY;
		claim->owner_pid = pid_vnr(o->pid);
	} else {
		/* taken anew, or confirmed by (another process of) its file */
		wiascan_owner_set(o, file);
		claim->owner_pid = pid_vnr(o->pid);
		if (o->abandoned)
			claim->flags |= WIASCAN_CLAIM_FLAG_ABANDONED;
	}
	mutex_unlock(&o->lock);
	return ret;
}

/**
 * wiascan_owner_unclaim() - WIASCAN_IOC_UNCLAIM
 * @dev: the device
 * @file: the calling file
 *
 * Return: 0; -EPERM if @file does not own the scanner; -EBUSY while @file
 * still has a buffer ring (it must free it first, so that a ring never
 * outlives its file's claim).
 */
int wiascan_owner_unclaim(struct wiascan_dev *dev, const void *file)
{
	struct wiascan_owner *o = &dev->owner;
	int ret = 0;

	mutex_lock(&o->lock);
	if (o->file != file) {
		ret = -EPERM;
	} else if (wiascan_queue_has_ring(&dev->queue, file)) {
		ret = -EBUSY;
	} else {
		wiascan_owner_clear(o);
		o->abandoned = false;
	}
	mutex_unlock(&o->lock);
	return ret;
}

/**
 * wiascan_owner_release() - @file is being released
 * @o: the claim
 * @file: the file whose last descriptor was closed
 *
 * If @file owned the scanner, the claim ends and is marked abandoned, so
 * that the next CLAIM says the scanner may be mid-scan.  Called after the
 * queue has freed @file's ring.
 */
void wiascan_owner_release(struct wiascan_owner *o, const void *file)
{
	mutex_lock(&o->lock);
	if (o->file == file) {
		wiascan_owner_clear(o);
		o->abandoned = true;
	}
	mutex_unlock(&o->lock);
}
