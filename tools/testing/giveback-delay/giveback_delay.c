// SPDX-License-Identifier: GPL-2.0
/*
 * giveback_delay: a test aid that widens one window of dummy_hcd (never
 * for production).
 *
 * dummy_hcd moves a packet between a host URB and a gadget request in
 * dummy_timer(), then gives the gadget's request back with its lock
 * dropped, and only after that unlinks the host URB from its endpoint and
 * gives it back.  In between, an unplug that the gadget side starts as
 * soon as it sees its request done (the emulator's --fault disconnect)
 * can reach usbcore's endpoint flush: the URB, whose data has arrived, is
 * then given back with the unlink's status (-ESHUTDOWN) instead of 0.
 * Under a loaded host that window is a preempted vCPU; this module makes
 * it @delay_ms long for every request of an interrupt-in endpoint by
 * busy-waiting after usb_gadget_giveback_request() returns (a kretprobe).
 *
 * Parameters: delay_ms (0..2000, default 300); hits (read-only: how many
 * requests were delayed).
 */

#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/usb/ch9.h>
#include <linux/usb/gadget.h>

static unsigned int delay_ms = 300;
module_param(delay_ms, uint, 0644);
MODULE_PARM_DESC(delay_ms, "Busy-wait after each interrupt-in giveback, ms (max 2000)");

static atomic_t hits = ATOMIC_INIT(0);

static int hits_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&hits));
}

static const struct kernel_param_ops hits_ops = {
	.get = hits_get,
};

module_param_cb(hits, &hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "Interrupt-in requests delayed so far");

/* Entry: note whether the request belongs to an interrupt-in endpoint */
static int giveback_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct usb_ep *ep = (struct usb_ep *)regs_get_kernel_argument(regs, 0);
	bool *intr_in = (bool *)ri->data;

	*intr_in = ep && ep->desc && usb_endpoint_xfer_int(ep->desc) &&
		   usb_endpoint_dir_in(ep->desc);
	return 0;
}

/* Return: the request's completion has run; hold the caller here */
static int giveback_return(struct kretprobe_instance *ri,
			   struct pt_regs *regs)
{
	bool *intr_in = (bool *)ri->data;
	unsigned int ms = min(READ_ONCE(delay_ms), 2000U);

	if (!*intr_in || !ms)
		return 0;
	atomic_inc(&hits);
	mdelay(ms);
	return 0;
}

static struct kretprobe giveback_probe = {
	.kp.symbol_name = "usb_gadget_giveback_request",
	.entry_handler = giveback_entry,
	.handler = giveback_return,
	.data_size = sizeof(bool),
	.maxactive = 16,
};

static int __init giveback_delay_init(void)
{
	return register_kretprobe(&giveback_probe);
}

static void __exit giveback_delay_exit(void)
{
	unregister_kretprobe(&giveback_probe);
}

module_init(giveback_delay_init);
module_exit(giveback_delay_exit);
MODULE_DESCRIPTION("Test aid: delay dummy_hcd's host giveback after an interrupt-in gadget request");
MODULE_LICENSE("GPL");
