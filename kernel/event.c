// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan: interrupt-in events
 *
 * When the interface has an interrupt-in endpoint, one URB polls it from
 * probe to disconnect.  Each packet goes into a fifo of the device
 * (&struct wiascan_events, owned by this file); when nobody takes them in
 * time the oldest are dropped and counted, so WAIT_EVENT can report the
 * loss.  A stall stops the polling until CLEAR_HALT on the endpoint
 * restarts it.  At unplug wiascan_event_disconnect() kills the URB, then
 * marks the fifo gone and wakes its waiters.  A packet the host received
 * is kept even when the unplug killed its URB before it was given back,
 * and WAIT_EVENT returns every kept event before -ENODEV: an event the
 * device sent before the cable went is never lost.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "wiascan.h"

static void wiascan_event_push(struct wiascan_events *e, const u8 *data,
			       unsigned int length)
{
	struct wiascan_event_slot *slot;
	u64 now = ktime_get_ns();
	unsigned long flags;

	spin_lock_irqsave(&e->lock, flags);
	if (e->count == WIASCAN_EVENT_FIFO) {
		e->head = (e->head + 1) % WIASCAN_EVENT_FIFO;
		e->count--;
		e->lost++;
	}
	slot = &e->slots[(e->head + e->count) % WIASCAN_EVENT_FIFO];
	slot->sequence = e->seq++;
	slot->timestamp_ns = now;
	slot->length = min_t(unsigned int, length, WIASCAN_EVENT_MAX_LENGTH);
	memcpy(slot->data, data, slot->length);
	e->count++;
	spin_unlock_irqrestore(&e->lock, flags);
	wake_up_interruptible(&e->wait);
}

static void wiascan_event_stopped(struct wiascan_events *e)
{
	unsigned long flags;

	spin_lock_irqsave(&e->lock, flags);
	e->running = false;
	spin_unlock_irqrestore(&e->lock, flags);
}

static void wiascan_event_complete(struct urb *urb)
{
	struct wiascan_dev *dev = urb->context;
	struct wiascan_events *e = &dev->events;
	int status = urb->status;

	switch (status) {
	case 0:
		wiascan_event_push(e, urb->transfer_buffer, urb->actual_length);
		break;
	case -ENOENT:
	case -ECONNRESET:
	case -ESHUTDOWN:
		/*
		 * Killed, yet a packet may have arrived: the host controller
		 * took it, then the kill (usbcore flushes the endpoint at an
		 * unplug before our disconnect) overrode the status before
		 * the URB was given back.  The device sent that event (with
		 * dummy_hcd its gadget already saw it delivered): keep it.
		 * One interrupt packet is all or nothing.
		 */
		if (urb->actual_length)
			wiascan_event_push(e, urb->transfer_buffer,
					   urb->actual_length);
		wiascan_event_stopped(e);
		return;
	case -EPIPE:
		/* resubmitting would stall again at once: wait for CLEAR_HALT */
		dev_dbg(&dev->intf->dev, "interrupt endpoint halted\n");
		wiascan_event_stopped(e);
		return;
	default:
		/* a bus error: the next poll may well succeed */
		dev_dbg_ratelimited(&dev->intf->dev,
				    "interrupt transfer failed: %d\n", status);
		break;
	}

	if (usb_submit_urb(urb, GFP_ATOMIC))
		wiascan_event_stopped(e);
}

int wiascan_event_init(struct wiascan_dev *dev)
{
	struct wiascan_events *e = &dev->events;
	unsigned int maxp;

	spin_lock_init(&e->lock);
	init_waitqueue_head(&e->wait);
	if (!dev->intr_in)
		return 0;

	maxp = usb_endpoint_maxp(dev->intr_in);
	e->buf = kmalloc(maxp, GFP_KERNEL);
	if (!e->buf)
		return -ENOMEM;
	e->urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!e->urb)
		return -ENOMEM;	/* wiascan_event_free() frees e->buf */

	usb_fill_int_urb(e->urb, dev->udev,
			 usb_rcvintpipe(dev->udev,
					dev->intr_in->bEndpointAddress),
			 e->buf, maxp, wiascan_event_complete, dev,
			 dev->intr_in->bInterval);
	return 0;
}

/* Start polling unless it is running or the device is gone */
void wiascan_event_start(struct wiascan_dev *dev)
{
	struct wiascan_events *e = &dev->events;
	int ret;

	if (!e->urb)
		return;

	/* the submission rule of every URB: under io_mutex, not disconnected */
	mutex_lock(&dev->io_mutex);
	spin_lock_irq(&e->lock);
	if (dev->disconnected || e->running) {
		spin_unlock_irq(&e->lock);
		goto out;
	}
	e->running = true;
	spin_unlock_irq(&e->lock);

	ret = usb_submit_urb(e->urb, GFP_KERNEL);
	if (ret) {
		dev_warn(&dev->intf->dev,
			 "cannot poll the interrupt endpoint: %d\n", ret);
		wiascan_event_stopped(e);
	}
out:
	mutex_unlock(&dev->io_mutex);
}

/* After CLEAR_HALT on the interrupt endpoint */
void wiascan_event_restart(struct wiascan_dev *dev)
{
	wiascan_event_start(dev);
}

/**
 * wiascan_event_disconnect() - the device is gone
 * @dev: the device, whose &wiascan_dev.disconnected is already set, so
 *	wiascan_event_start() cannot resubmit the URB
 *
 * Kills the URB, then marks the fifo gone and wakes every waiter: they
 * return the events already received, then -ENODEV.
 */
void wiascan_event_disconnect(struct wiascan_dev *dev)
{
	struct wiascan_events *e = &dev->events;

	usb_kill_urb(e->urb);
	spin_lock_irq(&e->lock);
	e->disconnected = true;
	spin_unlock_irq(&e->lock);
	wake_up_all(&e->wait);
}

void wiascan_event_free(struct wiascan_dev *dev)
{
	usb_free_urb(dev->events.urb);
	kfree(dev->events.buf);
}

/*
 * Called with e->lock held: the condition WAIT_EVENT waits for.
 * 1 an event is pending, -ENODEV the fifo is empty and the device gone,
 * 0 neither.
 */
static int wiascan_event_state(struct wiascan_events *e)
{
	lockdep_assert_held(&e->lock);
	if (e->count)
		return 1;
	return e->disconnected ? -ENODEV : 0;
}

/* EPOLLPRI for a pending event; every file sees the device's events */
__poll_t wiascan_event_poll(struct wiascan_dev *dev, struct file *file,
			    poll_table *wait)
{
	struct wiascan_events *e = &dev->events;
	__poll_t mask = 0;

	poll_wait(file, &e->wait, wait);
	spin_lock_irq(&e->lock);
	if (wiascan_event_state(e) > 0)
		mask |= EPOLLPRI;
	spin_unlock_irq(&e->lock);
	return mask;
}

/*
 * Take the oldest event into @ev: 1; else, in the same look at the fifo,
 * -ENODEV if the device is gone, 0 if not.  One look, so an event pushed
 * just before the unplug is returned, never skipped for the -ENODEV.
 */
static int wiascan_event_pop(struct wiascan_events *e,
			     struct wiascan_event *ev)
{
	struct wiascan_event_slot *slot;
	int ret;

	spin_lock_irq(&e->lock);
	ret = wiascan_event_state(e);
	if (ret > 0) {
		slot = &e->slots[e->head];
		ev->sequence = slot->sequence;
		ev->timestamp_ns = slot->timestamp_ns;
		ev->length = slot->length;
		memcpy(ev->data, slot->data, slot->length);
		ev->lost = e->lost;
		e->lost = 0;
		e->head = (e->head + 1) % WIASCAN_EVENT_FIFO;
		e->count--;
	}
	spin_unlock_irq(&e->lock);
	return ret;
}

/* The wait condition of WAIT_EVENT: an event, or the unplug */
static bool wiascan_event_ready(struct wiascan_events *e)
{
	bool ready;

	spin_lock_irq(&e->lock);
	ready = wiascan_event_state(e) != 0;
	spin_unlock_irq(&e->lock);
	return ready;
}

/* The checks of a WIASCAN_IOC_WAIT_EVENT argument: 0 or -EINVAL */
int wiascan_event_check(const struct wiascan_event *ev)
{
	if ((ev->flags & ~WIASCAN_EVENT_NONBLOCK) ||
	    ev->timeout_ms > WIASCAN_TIMEOUT_MAX_MS ||
	    memchr_inv(ev->reserved, 0, sizeof(ev->reserved)))
		return -EINVAL;
	return 0;
}

/*
 * WAIT_EVENT: events that arrived before an unplug are still returned;
 * after them the call fails with -ENODEV.  An interface without an
 * interrupt-in endpoint gives -EOPNOTSUPP.
 */
int wiascan_event_wait(struct wiascan_dev *dev, struct wiascan_event *ev,
		       unsigned int file_timeout_ms)
{
	struct wiascan_events *e = &dev->events;
	unsigned long timeout;
	long left;
	int ret;

	if (wiascan_event_check(ev))
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
		ret = wiascan_event_pop(e, ev);
		if (ret)
			return ret > 0 ? 0 : ret;
		if (ev->flags & WIASCAN_EVENT_NONBLOCK)
			return -EAGAIN;

		left = wait_event_interruptible_timeout(e->wait,
							wiascan_event_ready(e),
							timeout);
		if (left < 0)
			return left;
		if (left == 0)
			return -ETIMEDOUT;
		timeout = left;
	}
}
