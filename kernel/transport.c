// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan: URBs on the bulk endpoints and the default control pipe
 *
 * Streaming: every buffer of the ring is one bulk-in URB, a scatter-gather
 * URB over the buffer's pages when the host controller takes sg lists,
 * else one over the buffer's physically contiguous pages.  usbcore maps it
 * for streaming DMA at each submission.  Every queued buffer is in flight
 * at once, so the device never waits for the host.
 *
 * read(), write(), control transfers and CLEAR_HALT use one URB per call
 * (through a kmalloc'd bounce buffer), anchored so that disconnect can
 * kill it; no lock is held while they wait, so an unplug never waits for
 * a timeout.
 */

#include <linux/completion.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "wiascan.h"

/**
 * struct wiascan_xfer - the transport's state for one buffer of the ring
 * @urb: the bulk-in URB that fills the buffer, resubmitted at each QBUF
 * @sgt: the scatter-gather table over the buffer's pages (sg mode only)
 */
struct wiascan_xfer {
	struct urb *urb;
	struct sg_table sgt;
};

static bool wiascan_urb_killed(int status)
{
	return status == -ENOENT || status == -ECONNRESET ||
	       status == -ESHUTDOWN;
}

static void wiascan_stream_complete(struct urb *urb)
{
	struct wiascan_buf *buf = urb->context;
	int status = urb->status;

	if (wiascan_urb_killed(status)) {
		wiascan_queue_buf_cancelled(buf);
		return;
	}
	if (status)
		dev_dbg_ratelimited(&urb->dev->dev,
				    "buffer %u: transfer failed: %d\n",
				    buf->index, status);
	/* a short or zero-length packet is how the device ends a page */
	wiascan_queue_buf_done(buf, urb->actual_length, status,
			       !status &&
			       urb->actual_length < urb->transfer_buffer_length);
}

static int wiascan_buf_init(struct wiascan_queue *q, struct wiascan_buf *buf)
{
	struct wiascan_dev *dev = wiascan_queue_to_dev(q);
	unsigned int length = buf->npages << PAGE_SHIFT;
	unsigned int pipe = usb_rcvbulkpipe(dev->udev,
					    dev->bulk_in->bEndpointAddress);
	struct wiascan_xfer *xfer;
	struct scatterlist *sg;
	void *vaddr = NULL;
	unsigned int i;
	int ret;

	xfer = kzalloc(sizeof(*xfer), GFP_KERNEL);
	if (!xfer)
		return -ENOMEM;
	xfer->urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!xfer->urb) {
		ret = -ENOMEM;
		goto err_free;
	}

	if (dev->use_sg) {
		ret = sg_alloc_table(&xfer->sgt, buf->npages, GFP_KERNEL);
		if (ret)
			goto err_urb;
		for_each_sgtable_sg(&xfer->sgt, sg, i)
			sg_set_page(sg, buf->pages[i], PAGE_SIZE, 0);
	} else {
		/* the queue allocated the pages as one contiguous block */
		vaddr = page_address(buf->pages[0]);
	}

	usb_fill_bulk_urb(xfer->urb, dev->udev, pipe, vaddr, length,
			  wiascan_stream_complete, buf);
	if (dev->use_sg) {
		xfer->urb->sg = xfer->sgt.sgl;
		xfer->urb->num_sgs = xfer->sgt.orig_nents;
	}
	buf->priv = xfer;
	return 0;

err_urb:
	usb_free_urb(xfer->urb);
err_free:
	kfree(xfer);
	return ret;
}

static void wiascan_buf_cleanup(struct wiascan_queue *q,
				struct wiascan_buf *buf)
{
	struct wiascan_xfer *xfer = buf->priv;

	if (!xfer)
		return;
	usb_free_urb(xfer->urb);
	sg_free_table(&xfer->sgt);
	kfree(xfer);
	buf->priv = NULL;
}

/*
 * Between a cable pull and our disconnect() usbcore already refuses new
 * URBs: -ENOENT once the endpoint is disabled, -EHOSTUNREACH once the
 * device is no longer attached, -ESHUTDOWN when the controller is gone.
 * Report those as the unplug they are.
 */
static int wiascan_submit_error(int ret)
{
	switch (ret) {
	case -ENOENT:
	case -EHOSTUNREACH:
	case -ESHUTDOWN:
		return -ENODEV;
	}
	return ret;
}

/* Submit an anchored URB unless the device is gone */
static int wiascan_submit(struct wiascan_dev *dev, struct urb *urb,
			  struct usb_anchor *anchor)
{
	int ret;

	mutex_lock(&dev->io_mutex);
	if (dev->disconnected) {
		ret = -ENODEV;
	} else {
		usb_anchor_urb(urb, anchor);
		ret = usb_submit_urb(urb, GFP_KERNEL);
		if (ret) {
			usb_unanchor_urb(urb);
			ret = wiascan_submit_error(ret);
		}
	}
	mutex_unlock(&dev->io_mutex);
	return ret;
}

/*
 * Called with q->lock (QBUF, STREAMON), so the buffer's xfer_length and
 * URB do not change under us.  Submit @buf's URB for its
 * &wiascan_buf.xfer_length bytes (the whole buffer when 0; the queue
 * checked it is a multiple of wMaxPacketSize and fits).  An sg URB gets
 * only the pages the transfer reaches: every entry but the last is a
 * whole page, as usbcore wants (a multiple of wMaxPacketSize), and the
 * host controller stops at transfer_buffer_length inside the last one.
 */
static int wiascan_buf_queue(struct wiascan_queue *q, struct wiascan_buf *buf)
{
	struct wiascan_dev *dev = wiascan_queue_to_dev(q);
	struct wiascan_xfer *xfer = buf->priv;
	u32 length = buf->xfer_length ?: buf->npages << PAGE_SHIFT;

	lockdep_assert_held(&q->lock);
	xfer->urb->transfer_buffer_length = length;
	if (dev->use_sg)
		xfer->urb->num_sgs = DIV_ROUND_UP(length, PAGE_SIZE);
	return wiascan_submit(dev, xfer->urb, &dev->stream_anchor);
}

static int wiascan_start_streaming(struct wiascan_queue *q)
{
	struct wiascan_dev *dev = wiascan_queue_to_dev(q);

	return READ_ONCE(dev->disconnected) ? -ENODEV : 0;
}

static void wiascan_stop_streaming(struct wiascan_queue *q)
{
	struct wiascan_dev *dev = wiascan_queue_to_dev(q);

	usb_kill_anchored_urbs(&dev->stream_anchor);
}

const struct wiascan_queue_ops wiascan_transport_ops = {
	.buf_init = wiascan_buf_init,
	.buf_cleanup = wiascan_buf_cleanup,
	.buf_queue = wiascan_buf_queue,
	.start_streaming = wiascan_start_streaming,
	.stop_streaming = wiascan_stop_streaming,
};

static void wiascan_sync_complete(struct urb *urb)
{
	complete(urb->context);
}

/*
 * Run one URB to its end or until @timeout_ms (-ETIMEDOUT) or a signal.
 * *actual is what arrived even when the transfer failed or was cut short.
 *
 * A bulk transfer cut short by a signal before any byte moved returns
 * -ERESTARTSYS: nothing happened, so a stop and continue (Ctrl-Z, fg) or
 * a handler with SA_RESTART restarts the call.  A control transfer is
 * waited for @killable: only a fatal signal ends it, because a request
 * such as START may have reached the device and must not be sent twice.
 */
static int wiascan_sync_urb(struct wiascan_dev *dev, struct urb *urb,
			    unsigned int timeout_ms, bool killable,
			    unsigned int *actual)
{
	DECLARE_COMPLETION_ONSTACK(done);
	long left;
	int ret;

	urb->context = &done;
	urb->complete = wiascan_sync_complete;
	*actual = 0;
	ret = wiascan_submit(dev, urb, &dev->sync_anchor);
	if (ret)
		return ret;

	left = msecs_to_jiffies(timeout_ms);
	if (killable)
		left = wait_for_completion_killable_timeout(&done, left);
	else
		left = wait_for_completion_interruptible_timeout(&done, left);
	if (left <= 0)
		usb_kill_urb(urb);	/* waits for the completion */

	*actual = urb->actual_length;
	ret = urb->status;
	if (wiascan_urb_killed(ret)) {
		if (left < 0)
			ret = killable || *actual ? -EINTR : -ERESTARTSYS;
		else if (left == 0)
			ret = -ETIMEDOUT;
		else	/* usbcore killed it: unbind or unplug */
			ret = -ENODEV;
	}
	return ret;
}

/* Bounce buffer of at most @len bytes, a multiple of @maxp, or NULL */
static void *wiascan_bounce_alloc(size_t *len, unsigned int maxp)
{
	void *buf;

	for (;;) {
		buf = kmalloc(*len, GFP_KERNEL | __GFP_NOWARN);
		if (buf || *len <= PAGE_SIZE)
			return buf;
		*len = rounddown(*len / 2, maxp);
	}
}

/*
 * The driver keeps no data between calls, so O_NONBLOCK cannot mean "only
 * what is buffered": it gives the device a short grace period instead and
 * turns a timeout into -EAGAIN.  Data that arrived meanwhile is returned.
 */
static unsigned int wiascan_rw_timeout(unsigned int timeout_ms, bool nonblock)
{
	return nonblock ? WIASCAN_NONBLOCK_MS : timeout_ms;
}

static ssize_t wiascan_rw_result(ssize_t ret, bool nonblock)
{
	return nonblock && ret == -ETIMEDOUT ? -EAGAIN : ret;
}

ssize_t wiascan_transport_read(struct wiascan_dev *dev, char __user *ubuf,
			       size_t count, unsigned int timeout_ms,
			       bool nonblock)
{
	unsigned int maxp = usb_endpoint_maxp(dev->bulk_in);
	size_t len = rounddown(min_t(size_t, count, WIASCAN_RW_MAX), maxp);
	unsigned int actual;
	struct urb *urb;
	void *buf;
	ssize_t ret;

	/* a transfer shorter than a packet would lose the rest (babble) */
	if (count && !len)
		return -EINVAL;
	if (!count)
		return 0;
	if (READ_ONCE(dev->disconnected))
		return -ENODEV;
	/* -EBUSY while streaming; STREAMON fails until we are done */
	ret = wiascan_queue_bulk_in_get(&dev->queue, false);
	if (ret)
		return ret;

	if (mutex_lock_interruptible(&dev->read_mutex)) {
		ret = -ERESTARTSYS;
		goto out_put;
	}
	ret = -ENOMEM;
	buf = wiascan_bounce_alloc(&len, maxp);
	if (!buf)
		goto out_unlock;
	urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!urb)
		goto out_free;

	usb_fill_bulk_urb(urb, dev->udev,
			  usb_rcvbulkpipe(dev->udev,
					  dev->bulk_in->bEndpointAddress),
			  buf, len, NULL, NULL);
	ret = wiascan_sync_urb(dev, urb, wiascan_rw_timeout(timeout_ms, nonblock),
			       false, &actual);
	ret = wiascan_rw_result(ret, nonblock);
	/* data that arrived before an error or a timeout is not lost */
	if (actual)
		ret = copy_to_user(ubuf, buf, actual) ? -EFAULT : actual;
	usb_free_urb(urb);
out_free:
	kfree(buf);
out_unlock:
	mutex_unlock(&dev->read_mutex);
out_put:
	wiascan_queue_bulk_in_put(&dev->queue);
	return ret;
}

ssize_t wiascan_transport_write(struct wiascan_dev *dev,
				const char __user *ubuf, size_t count,
				unsigned int timeout_ms, bool nonblock)
{
	size_t len = min_t(size_t, count, WIASCAN_RW_MAX);
	unsigned int actual;
	struct urb *urb;
	void *buf;
	ssize_t ret;

	if (!dev->bulk_out)
		return -EINVAL;
	if (!count)
		return 0;

	if (mutex_lock_interruptible(&dev->write_mutex))
		return -ERESTARTSYS;
	ret = -ENOMEM;
	buf = wiascan_bounce_alloc(&len, usb_endpoint_maxp(dev->bulk_out));
	if (!buf)
		goto out_unlock;
	ret = -EFAULT;
	if (copy_from_user(buf, ubuf, len))
		goto out_free;
	ret = -ENOMEM;
	urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!urb)
		goto out_free;

	usb_fill_bulk_urb(urb, dev->udev,
			  usb_sndbulkpipe(dev->udev,
					  dev->bulk_out->bEndpointAddress),
			  buf, len, NULL, NULL);
	ret = wiascan_sync_urb(dev, urb, wiascan_rw_timeout(timeout_ms, nonblock),
			       false, &actual);
	ret = wiascan_rw_result(ret, nonblock);
	if (actual)
		ret = actual;
	usb_free_urb(urb);
out_free:
	kfree(buf);
out_unlock:
	mutex_unlock(&dev->write_mutex);
	return ret;
}

/* The checks of a WIASCAN_IOC_CONTROL argument: 0 or -EINVAL */
int wiascan_transport_ctrl_check(const struct wiascan_ctrl *ctrl)
{
	u32 type = ctrl->request_type & WIASCAN_CTRL_TYPE_MASK;

	if (memchr_inv(ctrl->reserved, 0, sizeof(ctrl->reserved)))
		return -EINVAL;
	/* standard requests would fight usbcore for the device's state */
	if (ctrl->request_type > 0xff ||
	    (type != WIASCAN_CTRL_TYPE_CLASS &&
	     type != WIASCAN_CTRL_TYPE_VENDOR) ||
	    (ctrl->request_type & WIASCAN_CTRL_RECIP_MASK) !=
	     WIASCAN_CTRL_RECIP_INTERFACE)
		return -EINVAL;
	if (ctrl->request > 0xff || ctrl->value > 0xffff ||
	    ctrl->index > 0xffff || (ctrl->index & 0xff) ||
	    ctrl->length > WIASCAN_CTRL_MAX_LENGTH ||
	    ctrl->timeout_ms > WIASCAN_TIMEOUT_MAX_MS)
		return -EINVAL;
	return 0;
}

int wiascan_transport_control(struct wiascan_dev *dev,
			      struct wiascan_ctrl *ctrl,
			      unsigned int file_timeout_ms)
{
	void __user *udata = u64_to_user_ptr(ctrl->data);
	/* the data stage's direction; with no data stage the status is IN */
	bool in = (ctrl->request_type & WIASCAN_CTRL_DIR_IN) && ctrl->length;
	u8 ifnum = dev->intf->cur_altsetting->desc.bInterfaceNumber;
	struct usb_ctrlrequest *setup;
	unsigned int pipe, actual;
	struct urb *urb = NULL;
	void *buf = NULL;
	int ret;

	ret = wiascan_transport_ctrl_check(ctrl);
	if (ret)
		return ret;

	ret = -ENOMEM;
	setup = kmalloc(sizeof(*setup), GFP_KERNEL);
	if (!setup)
		goto out;
	if (ctrl->length) {
		buf = kzalloc(ctrl->length, GFP_KERNEL);
		if (!buf)
			goto out;
	}
	urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!urb)
		goto out;
	ret = -EFAULT;
	if (!in && ctrl->length && copy_from_user(buf, udata, ctrl->length))
		goto out;

	setup->bRequestType = ctrl->request_type;
	setup->bRequest = ctrl->request;
	setup->wValue = cpu_to_le16(ctrl->value);
	setup->wIndex = cpu_to_le16(ctrl->index | ifnum);
	setup->wLength = cpu_to_le16(ctrl->length);
	pipe = in ? usb_rcvctrlpipe(dev->udev, 0) :
		    usb_sndctrlpipe(dev->udev, 0);
	usb_fill_control_urb(urb, dev->udev, pipe, (u8 *)setup, buf,
			     ctrl->length, NULL, NULL);

	ret = wiascan_sync_urb(dev, urb, ctrl->timeout_ms ?: file_timeout_ms,
			       true, &actual);
	ctrl->actual = actual;
	if (!ret && in && actual && copy_to_user(udata, buf, actual))
		ret = -EFAULT;
out:
	usb_free_urb(urb);
	kfree(buf);
	kfree(setup);
	return ret;
}

/*
 * CLEAR_FEATURE(ENDPOINT_HALT) as usb_clear_halt() sends it, but as an
 * anchored URB: io_mutex is held only to submit it, so disconnect kills
 * it instead of waiting up to 5 s behind it.  Like usb_clear_halt(), the
 * endpoint's toggle is reset only when the device accepted the request.
 */
int wiascan_transport_clear_halt(struct wiascan_dev *dev, u32 endpoint)
{
	struct usb_endpoint_descriptor *eps[] = {
		dev->bulk_in, dev->bulk_out, dev->intr_in,
	};
	struct usb_endpoint_descriptor *ep = NULL;
	struct usb_ctrlrequest *setup;
	unsigned int i, actual;
	struct urb *urb;
	int ret;

	for (i = 0; i < ARRAY_SIZE(eps); i++)
		if (eps[i] && eps[i]->bEndpointAddress == endpoint)
			ep = eps[i];
	if (!ep)
		return -EINVAL;
	/*
	 * Resetting the toggle under URBs in flight would corrupt data: for
	 * bulk-in, hold the endpoint against STREAMON and read() meanwhile.
	 */
	if (ep == dev->bulk_in) {
		ret = wiascan_queue_bulk_in_get(&dev->queue, true);
		if (ret)
			return ret;
	}

	ret = -ENOMEM;
	setup = kmalloc(sizeof(*setup), GFP_KERNEL);
	urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!setup || !urb)
		goto out;
	setup->bRequestType = USB_RECIP_ENDPOINT;
	setup->bRequest = USB_REQ_CLEAR_FEATURE;
	setup->wValue = cpu_to_le16(USB_ENDPOINT_HALT);
	setup->wIndex = cpu_to_le16(endpoint);
	setup->wLength = 0;
	usb_fill_control_urb(urb, dev->udev, usb_sndctrlpipe(dev->udev, 0),
			     (u8 *)setup, NULL, 0, NULL, NULL);
	ret = wiascan_sync_urb(dev, urb, USB_CTRL_SET_TIMEOUT, true, &actual);
	if (ret)
		goto out;

	/* no transfer to wait for here: io_mutex only orders it with unplug */
	mutex_lock(&dev->io_mutex);
	if (dev->disconnected)
		ret = -ENODEV;
	else
		usb_reset_endpoint(dev->udev, endpoint);
	mutex_unlock(&dev->io_mutex);
out:
	usb_free_urb(urb);
	kfree(setup);
	if (ep == dev->bulk_in)
		wiascan_queue_bulk_in_put(&dev->queue);
	if (!ret && ep == dev->intr_in)
		wiascan_event_restart(dev);
	return ret;
}

/* Called after dev->disconnected is set: nothing new can be submitted */
void wiascan_transport_disconnect(struct wiascan_dev *dev)
{
	usb_kill_anchored_urbs(&dev->stream_anchor);
	usb_kill_anchored_urbs(&dev->sync_anchor);
}
