// SPDX-License-Identifier: GPL-2.0
/*
 * poll_delay: a test aid that makes dummy_hcd's host late to poll after a
 * gadget's interrupt-in request was completed at queue time (never for
 * production).
 *
 * dummy_hcd emulates a one-request FIFO: a short IN request (up to its
 * FIFO_SIZE, 64 bytes) queued on an idle endpoint is given back to the
 * gadget at once, from usb_ep_queue(), and the packet waits for the host's
 * URB, which dummy_timer() serves at its next run (a millisecond later, or
 * much later on a loaded machine).  A gadget that takes "request done" for
 * "the host has it" and unplugs then loses the packet.  This module makes
 * that window @delay_ms long: after such a giveback (an interrupt-in
 * endpoint, in task context) a run of dummy_timer() (an hrtimer in 6.1's
 * dummy_hcd) in the next @delay_ms is put off to its end: a kprobe at
 * its entry sets the timer's expiry and returns HRTIMER_RESTART at once.
 *
 * Parameters: delay_ms (0..5000, default 500); hits (read-only: how many
 * queue-time givebacks armed the delay).
 */

#include <linux/hrtimer.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/linkage.h>
#include <linux/module.h>
#include <linux/objtool.h>
#include <linux/preempt.h>
#include <linux/usb/ch9.h>
#include <linux/usb/gadget.h>

static unsigned int delay_ms = 500;
module_param(delay_ms, uint, 0644);
MODULE_PARM_DESC(delay_ms, "How long the host's polls wait after a queue-time interrupt-in giveback, ms (max 5000)");

static atomic_t hits = ATOMIC_INIT(0);

static int hits_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&hits));
}

static const struct kernel_param_ops hits_ops = {
	.get = hits_get,
};

module_param_cb(hits, &hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "Queue-time interrupt-in givebacks that delayed the host");

static s64 until_ns;	/* CLOCK_MONOTONIC: dummy_timer waits until then */
static bool armed;

/* A request given back from usb_ep_queue() (task context): arm the delay */
static int giveback_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct usb_ep *ep = (struct usb_ep *)regs_get_kernel_argument(regs, 0);
	unsigned int ms = min(READ_ONCE(delay_ms), 5000U);

	if (!ms || in_interrupt() || !ep || !ep->desc ||
	    !usb_endpoint_xfer_int(ep->desc) || !usb_endpoint_dir_in(ep->desc))
		return 0;
	WRITE_ONCE(until_ns, ktime_get_ns() + (s64)ms * NSEC_PER_MSEC);
	smp_wmb();	/* until_ns before armed */
	WRITE_ONCE(armed, true);
	atomic_inc(&hits);
	return 0;
}

static struct kprobe giveback_probe = {
	.symbol_name = "usb_gadget_giveback_request",
	.pre_handler = giveback_pre,
};

/*
 * Where a skipped dummy_timer() goes: straight back to its caller, as
 * x86's override_function_with_return() does for error injection
 */
asmlinkage void poll_delay_return(void);

asm(".text\n"
	".type poll_delay_return, @function\n"
	"poll_delay_return:\n"
	ANNOTATE_NOENDBR
	ASM_RET
	".size poll_delay_return, .-poll_delay_return\n");

/* dummy_timer(t) entered while armed: run it again at the end, not now */
static int timer_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct hrtimer *t;
	s64 end;

	if (!READ_ONCE(armed))
		return 0;
	smp_rmb();	/* armed before until_ns */
	end = READ_ONCE(until_ns);
	if (ktime_get_ns() >= end) {
		WRITE_ONCE(armed, false);
		return 0;
	}
	t = (struct hrtimer *)regs_get_kernel_argument(regs, 0);
	hrtimer_set_expires(t, ns_to_ktime(end));
	/* return HRTIMER_RESTART to the caller at once */
	regs->ax = HRTIMER_RESTART;
	instruction_pointer_set(regs, (unsigned long)poll_delay_return);
	return 1;
}

static struct kprobe timer_probe = {
	.symbol_name = "dummy_timer",
	.pre_handler = timer_pre,
};

static int __init poll_delay_init(void)
{
	int ret;

	ret = register_kprobe(&timer_probe);
	if (ret)
		return ret;
	ret = register_kprobe(&giveback_probe);
	if (ret)
		unregister_kprobe(&timer_probe);
	return ret;
}

static void __exit poll_delay_exit(void)
{
	unregister_kprobe(&giveback_probe);
	unregister_kprobe(&timer_probe);
}

module_init(poll_delay_init);
module_exit(poll_delay_exit);
MODULE_DESCRIPTION("Test aid: dummy_hcd's host polls late after a queue-time interrupt-in giveback");
MODULE_LICENSE("GPL");
