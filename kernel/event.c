// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan: interrupt-in events
 *
 * When the interface has an interrupt-in endpoint, one URB polls it from
 * probe to disconnect.  Each packet goes into a fifo of the device; when
 * nobody takes them in time the oldest are dropped and counted, so
 * WAIT_EVENT can report the loss.  A stall stops the polling until
 * CLEAR_HALT on the endpoint restarts it.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "wiascan.h"

static void wiascan_event_push(struct wiascan_dev *dev, const u8 *data,
			       unsigned int length)
{
	struct wiascan_event_slot *slot;
	u64 now = ktime_get_ns();
	unsigned long flags;

	spin_lock_irqsave(&dev->event_lock, flags);
	if (dev->event_count == WIASCAN_EVENT_FIFO) {
		dev->event_head = (dev->event_head + 1) % WIASCAN_EVENT_FIFO;
		dev->event_count--;
		dev->event_lost++;
	}
	slot = &dev->events[(dev->event_head + dev->event_count) %
			    WIASCAN_EVENT_FIFO];
	slot->sequence = dev->event_seq++;
	slot->timestamp_ns = now;
	slot->length = min_t(unsigned int, length, WIASCAN_EVENT_MAX_LENGTH);
	memcpy(slot->data, data, slot->length);
	dev->event_count++;
	spin_unlock_irqrestore(&dev->event_lock, flags);
	wake_up_interruptible(&dev->event_wait);
}

static void wiascan_event_stopped(struct wiascan_dev *dev)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->event_lock, flags);
	dev->intr_running = false;
	spin_unlock_irqrestore(&dev->event_lock, flags);
}

static void wiascan_event_complete(struct urb *urb)
{
	struct wiascan_dev *dev = urb->context;
	int status = urb->status;

	switch (status) {
	case 0:
		wiascan_event_push(dev, urb->transfer_buffer,
				   urb->actual_length);
		break;
	case -ENOENT:
	case -ECONNRESET:
	case -ESHUTDOWN:
		wiascan_event_stopped(dev);
		return;
	case -EPIPE:
		/* resubmitting would stall again at once: wait for CLEAR_HALT */
		dev_dbg(&dev->intf->dev, "interrupt endpoint halted\n");
		wiascan_event_stopped(dev);
		return;
	default:
		/* a bus error: the next poll may well succeed */
		dev_dbg_ratelimited(&dev->intf->dev,
				    "interrupt transfer failed: %d\n", status);
		break;
	}

	if (usb_submit_urb(urb, GFP_ATOMIC))
		wiascan_event_stopped(dev);
}

int wiascan_event_init(struct wiascan_dev *dev)
{
	unsigned int maxp;

	spin_lock_init(&dev->event_lock);
	init_waitqueue_head(&dev->event_wait);
	if (!dev->intr_in)
		return 0;

	maxp = usb_endpoint_maxp(dev->intr_in);
	dev->intr_buf = kmalloc(maxp, GFP_KERNEL);
	if (!dev->intr_buf)
		return -ENOMEM;
	dev->intr_urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!dev->intr_urb)
		return -ENOMEM;	/* wiascan_event_free() frees intr_buf */

	usb_fill_int_urb(dev->intr_urb, dev->udev,
			 usb_rcvintpipe(dev->udev,
					dev->intr_in->bEndpointAddress),
			 dev->intr_buf, maxp, wiascan_event_complete, dev,
			 dev->intr_in->bInterval);
	return 0;
}

/* Start polling unless it is running or the device is gone */
void wiascan_event_start(struct wiascan_dev *dev)
{
	int ret;

	if (!dev->intr_urb)
		return;

	mutex_lock(&dev->io_mutex);
	spin_lock_irq(&dev->event_lock);
	if (dev->disconnected || dev->intr_running) {
		spin_unlock_irq(&dev->event_lock);
		goto out;
	}
	dev->intr_running = true;
	spin_unlock_irq(&dev->event_lock);

	ret = usb_submit_urb(dev->intr_urb, GFP_KERNEL);
	if (ret) {
		dev_warn(&dev->intf->dev,
			 "cannot poll the interrupt endpoint: %d\n", ret);
		wiascan_event_stopped(dev);
	}
out:
	mutex_unlock(&dev->io_mutex);
}

/* After CLEAR_HALT on the interrupt endpoint */
void wiascan_event_restart(struct wiascan_dev *dev)
{
	wiascan_event_start(dev);
}

/* Called after dev->disconnected is set */
void wiascan_event_stop(struct wiascan_dev *dev)
{
	usb_kill_urb(dev->intr_urb);
}

void wiascan_event_free(struct wiascan_dev *dev)
{
	usb_free_urb(dev->intr_urb);
	kfree(dev->intr_buf);
}

bool wiascan_event_pending(struct wiascan_dev *dev)
{
	bool pending;

	spin_lock_irq(&dev->event_lock);
	pending = dev->event_count > 0;
	spin_unlock_irq(&dev->event_lock);
	return pending;
}

/* Take the oldest event into @ev; false when the fifo is empty */
static bool wiascan_event_pop(struct wiascan_dev *dev,
			      struct wiascan_event *ev)
{
	struct wiascan_event_slot *slot;
	bool found = false;

	spin_lock_irq(&dev->event_lock);
	if (dev->event_count) {
		slot = &dev->events[dev->event_head];
		ev->sequence = slot->sequence;
		ev->timestamp_ns = slot->timestamp_ns;
		ev->length = slot->length;
		memcpy(ev->data, slot->data, slot->length);
		ev->lost = dev->event_lost;
		dev->event_lost = 0;
		dev->event_head = (dev->event_head + 1) % WIASCAN_EVENT_FIFO;
		dev->event_count--;
		found = true;
	}
	spin_unlock_irq(&dev->event_lock);
	return found;
}

static bool wiascan_event_ready(struct wiascan_dev *dev)
{
	return wiascan_event_pending(dev) || READ_ONCE(dev->disconnected);
}

/*
 * WAIT_EVENT: events that arrived before an unplug are still returned;
 * after them the call fails with -ENODEV.  An interface without an
 * interrupt-in endpoint gives -EOPNOTSUPP.
 */
int wiascan_event_wait(struct wiascan_dev *dev, struct wiascan_event *ev,
		       unsigned int file_timeout_ms)
{
	unsigned long timeout;
	long left;

	if ((ev->flags & ~WIASCAN_EVENT_NONBLOCK) ||
	    ev->timeout_ms > WIASCAN_TIMEOUT_MAX_MS ||
	    memchr_inv(ev->reserved, 0, sizeof(ev->reserved)))
		return -EINVAL;
	if (!dev->intr_in)
		return -EOPNOTSUPP;

	timeout = msecs_to_jiffies(ev->timeout_ms ?: file_timeout_ms);
	ev->sequence = 0;
	ev->timestamp_ns = 0;
	ev->length = 0;
	ev->lost = 0;
	memset(ev->data, 0, sizeof(ev->data));

	for (;;) {
		if (wiascan_event_pop(dev, ev))
			return 0;
		if (READ_ONCE(dev->disconnected))
			return -ENODEV;
		if (ev->flags & WIASCAN_EVENT_NONBLOCK)
			return -EAGAIN;

		left = wait_event_interruptible_timeout(dev->event_wait,
							wiascan_event_ready(dev),
							timeout);
		if (left < 0)
			return left;
		if (left == 0)
			return -ETIMEDOUT;
		timeout = left;
	}
}
