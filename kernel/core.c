// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan: USB document scanner driver
 *
 * Binds the wiascan reference scanner by ID and any other scanner through
 * the driver's new_id file, and gives each bound interface a character
 * device /dev/wiascanN implementing include/uapi/linux/wiascan.h.
 *
 * Lifetime: &struct wiascan_dev is reference counted.  Probe holds one
 * reference until disconnect, every open file one until release; only
 * wiascan_delete() frees the device.  Disconnect deregisters the minor
 * first (after it no open can find the device), marks the device gone
 * under the I/O mutex, kills every URB and wakes every waiter.
 *
 * The exclusive claim (claim.c) is asked for here, in the file operations,
 * before a guarded call reaches the transport, the queue or the event
 * fifo; those know nothing about it.
 */

#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "wiascan.h"

/*
 * The minors of the old 2.4 scanner driver, drivers/usb/image/scanner.c.
 * With CONFIG_USB_DYNAMIC_MINORS (most distributions) usbcore ignores the
 * base, and N in /dev/wiascanN is then the USB minor itself.
 */
#define WIASCAN_MINOR_BASE	48

static bool scatter_gather = true;
module_param(scatter_gather, bool, 0644);
MODULE_PARM_DESC(scatter_gather,
		 "Use sg URBs where the host controller allows (default Y; N tests the contiguous buffers of other controllers)");

static unsigned int max_buffer_mb = 64;
module_param(max_buffer_mb, uint, 0644);
MODULE_PARM_DESC(max_buffer_mb,
		 "Most buffer memory one device may pin, in MiB (default 64)");

/**
 * struct wiascan_file - per open file state
 * @dev: the device, a reference is held
 * @timeout_ms: timeout of this file's DQBUF, read(), write(), control
 *	transfers and event waits
 *
 * Whether the file owns the scanner or the buffer queue is recorded in the
 * claim and the queue themselves (&wiascan_owner.file and
 * &wiascan_queue.owner point to the owning &struct wiascan_file).
 */
struct wiascan_file {
	struct wiascan_dev *dev;
	unsigned int timeout_ms;
};

static struct usb_driver wiascan_driver;

/*
 * ABI version 2 took &wiascan_buffer.xfer_length from reserved[0]: the
 * size, and so the ioctl numbers, and every older field stay where a
 * version 1 client put them (tools/testing/abi/abi-check pins them too).
 */
static_assert(sizeof(struct wiascan_buffer) == 64);
static_assert(offsetof(struct wiascan_buffer, status) == 40);
static_assert(offsetof(struct wiascan_buffer, xfer_length) == 44);
static_assert(offsetof(struct wiascan_buffer, reserved) == 48);

static void wiascan_delete(struct kref *kref)
{
	struct wiascan_dev *dev = container_of(kref, struct wiascan_dev, kref);

	wiascan_event_free(dev);
	usb_put_intf(dev->intf);
	usb_put_dev(dev->udev);
	kfree(dev);
}

static unsigned int max_total_mb = 256;
module_param(max_total_mb, uint, 0644);
MODULE_PARM_DESC(max_total_mb,
		 "Most buffer memory all wiascan devices together may pin, in MiB (default 256)");

/* The per-device cap; the system-wide one is enforced by the queue */
static u64 wiascan_max_total(void)
{
	return (u64)READ_ONCE(max_buffer_mb) << 20;
}

static u64 wiascan_max_system(void)
{
	return (u64)READ_ONCE(max_total_mb) << 20;
}

static int wiascan_open(struct inode *inode, struct file *file)
{
	struct usb_interface *intf;
	struct wiascan_file *wf;
	struct wiascan_dev *dev;

	/* usbcore holds its minor lock: disconnect cannot free dev meanwhile */
	intf = usb_find_interface(&wiascan_driver, iminor(inode));
	if (!intf)
		return -ENODEV;
	dev = usb_get_intfdata(intf);
	if (!dev)
		return -ENODEV;

	wf = kzalloc(sizeof(*wf), GFP_KERNEL);
	if (!wf)
		return -ENOMEM;
	wf->dev = dev;
	wf->timeout_ms = WIASCAN_DEFAULT_TIMEOUT_MS;
	kref_get(&dev->kref);
	file->private_data = wf;
	return 0;
}

static int wiascan_release(struct inode *inode, struct file *file)
{
	struct wiascan_file *wf = file->private_data;
	struct wiascan_dev *dev = wf->dev;

	/* the ring first: a ring never outlives its file's claim */
	wiascan_queue_release(&dev->queue, wf);
	wiascan_owner_release(&dev->owner, wf);
	kref_put(&dev->kref, wiascan_delete);
	kfree(wf);
	return 0;
}

static ssize_t wiascan_read(struct file *file, char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct wiascan_file *wf = file->private_data;
	int ret;

	if (!count)
		return 0;
	ret = wiascan_owner_take(&wf->dev->owner, wf);
	if (ret)
		return ret;
	return wiascan_transport_read(wf->dev, buf, count, wf->timeout_ms,
				      file->f_flags & O_NONBLOCK);
}

static ssize_t wiascan_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct wiascan_file *wf = file->private_data;
	int ret;

	if (!count)
		return 0;
	ret = wiascan_owner_take(&wf->dev->owner, wf);
	if (ret)
		return ret;
	return wiascan_transport_write(wf->dev, buf, count, wf->timeout_ms,
				       file->f_flags & O_NONBLOCK);
}

static __poll_t wiascan_poll(struct file *file, poll_table *wait)
{
	struct wiascan_file *wf = file->private_data;
	struct wiascan_dev *dev = wf->dev;
	__poll_t mask;

	mask = wiascan_queue_poll(&dev->queue, wf, file, wait);
	mask |= wiascan_event_poll(dev, file, wait);
	if (READ_ONCE(dev->disconnected))
		mask |= EPOLLHUP | EPOLLERR;
	else if (dev->bulk_out)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int wiascan_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct wiascan_file *wf = file->private_data;

	return wiascan_queue_mmap(&wf->dev->queue, wf, vma);
}

static int wiascan_ioc_querycap(struct wiascan_file *wf, void __user *arg)
{
	struct wiascan_dev *dev = wf->dev;
	struct wiascan_caps caps = {};

	if (READ_ONCE(dev->disconnected))
		return -ENODEV;

	caps.abi_version = WIASCAN_ABI_VERSION;
	caps.caps = WIASCAN_CAP_STREAMING | WIASCAN_CAP_READ |
		    WIASCAN_CAP_CLAIM | WIASCAN_CAP_XFER_LENGTH |
		    WIASCAN_CAP_READ_IDLE;
	if (dev->bulk_out)
		caps.caps |= WIASCAN_CAP_WRITE;
	if (dev->intr_in)
		caps.caps |= WIASCAN_CAP_EVENTS;
	if (dev->use_sg)
		caps.caps |= WIASCAN_CAP_SG;
	caps.speed = dev->udev->speed;
	caps.interface = dev->intf->cur_altsetting->desc.bInterfaceNumber;
	caps.vendor_id = le16_to_cpu(dev->udev->descriptor.idVendor);
	caps.product_id = le16_to_cpu(dev->udev->descriptor.idProduct);
	caps.bulk_in_ep = dev->bulk_in->bEndpointAddress;
	caps.bulk_in_maxpacket = usb_endpoint_maxp(dev->bulk_in);
	if (dev->bulk_out) {
		caps.bulk_out_ep = dev->bulk_out->bEndpointAddress;
		caps.bulk_out_maxpacket = usb_endpoint_maxp(dev->bulk_out);
	}
	if (dev->intr_in) {
		caps.intr_in_ep = dev->intr_in->bEndpointAddress;
		caps.intr_in_maxpacket = usb_endpoint_maxp(dev->intr_in);
	}
	caps.max_buffers = WIASCAN_MAX_BUFFERS;
	caps.max_buffer_size = dev->queue.max_buffer_size;
	caps.max_ctrl_length = WIASCAN_CTRL_MAX_LENGTH;
	caps.timeout_ms = wf->timeout_ms;
	caps.max_total_bytes = min(wiascan_max_total(), wiascan_max_system());

	return copy_to_user(arg, &caps, sizeof(caps)) ? -EFAULT : 0;
}

/*
 * The claim's lock is held across the allocation, so that UNCLAIM, which
 * refuses while its file has a ring, cannot slip in between the check of
 * the claim and the new ring.
 */
static int wiascan_ioc_reqbufs(struct wiascan_file *wf, void __user *arg)
{
	struct wiascan_dev *dev = wf->dev;
	struct wiascan_reqbufs req;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	/* a call refused for its argument takes no claim */
	ret = wiascan_queue_reqbufs_check(&dev->queue, &req);
	if (ret)
		return ret;
	mutex_lock(&dev->owner.lock);
	ret = wiascan_owner_take_locked(&dev->owner, wf);
	if (!ret)
		ret = wiascan_queue_reqbufs(&dev->queue, wf, &req,
					    wiascan_max_total(),
					    wiascan_max_system());
	mutex_unlock(&dev->owner.lock);
	if (ret)
		return ret;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

/* QUERYBUF, QBUF and DQBUF share the argument and its copying */
static int wiascan_ioc_buffer(struct wiascan_file *wf, unsigned int cmd,
			      void __user *arg, bool nonblock)
{
	struct wiascan_queue *q = &wf->dev->queue;
	struct wiascan_buffer b;
	int ret;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;

	switch (cmd) {
	case WIASCAN_IOC_QUERYBUF:
		ret = wiascan_queue_querybuf(q, &b);
		break;
	case WIASCAN_IOC_QBUF:
		ret = wiascan_owner_take(&wf->dev->owner, wf);
		if (!ret)
			ret = wiascan_queue_qbuf(q, wf, &b);
		break;
	default:
		ret = wiascan_queue_dqbuf(q, wf, &b, nonblock,
					  msecs_to_jiffies(wf->timeout_ms));
		break;
	}
	if (ret)
		return ret;
	return copy_to_user(arg, &b, sizeof(b)) ? -EFAULT : 0;
}

static int wiascan_ioc_control(struct wiascan_file *wf, void __user *arg)
{
	struct wiascan_ctrl ctrl;
	int ret;

	if (copy_from_user(&ctrl, arg, sizeof(ctrl)))
		return -EFAULT;
	ctrl.actual = 0;
	ret = wiascan_transport_ctrl_check(&ctrl);
	if (ret)
		return ret;
	/* host-to-device requests, and any without a data stage, change state */
	if (!(ctrl.request_type & WIASCAN_CTRL_DIR_IN) || !ctrl.length) {
		ret = wiascan_owner_take(&wf->dev->owner, wf);
		if (ret)
			return ret;
	}
	ret = wiascan_transport_control(wf->dev, &ctrl, wf->timeout_ms);
	if (ret)
		return ret;
	return copy_to_user(arg, &ctrl, sizeof(ctrl)) ? -EFAULT : 0;
}

static int wiascan_ioc_wait_event(struct wiascan_file *wf, void __user *arg)
{
	struct wiascan_event ev;
	int ret;

	if (copy_from_user(&ev, arg, sizeof(ev)))
		return -EFAULT;
	/* a call refused for its argument takes no claim */
	ret = wiascan_event_check(&ev);
	if (ret)
		return ret;
	ret = wiascan_owner_take(&wf->dev->owner, wf);
	if (ret)
		return ret;
	ret = wiascan_event_wait(wf->dev, &ev, wf->timeout_ms);
	if (ret)
		return ret;
	return copy_to_user(arg, &ev, sizeof(ev)) ? -EFAULT : 0;
}

static int wiascan_ioc_set_timeout(struct wiascan_file *wf, void __user *arg)
{
	struct wiascan_timeout t;

	if (copy_from_user(&t, arg, sizeof(t)))
		return -EFAULT;
	if (memchr_inv(t.reserved, 0, sizeof(t.reserved)) ||
	    t.timeout_ms < 1 || t.timeout_ms > WIASCAN_TIMEOUT_MAX_MS)
		return -EINVAL;
	WRITE_ONCE(wf->timeout_ms, t.timeout_ms);
	return 0;
}

static int wiascan_ioc_clear_halt(struct wiascan_file *wf, void __user *arg)
{
	struct wiascan_clear_halt ch;
	int ret;

	if (copy_from_user(&ch, arg, sizeof(ch)))
		return -EFAULT;
	if (memchr_inv(ch.reserved, 0, sizeof(ch.reserved)))
		return -EINVAL;
	ret = wiascan_owner_take(&wf->dev->owner, wf);
	if (ret)
		return ret;
	return wiascan_transport_clear_halt(wf->dev, ch.endpoint);
}

static int wiascan_ioc_streamon(struct wiascan_file *wf)
{
	int ret;

	ret = wiascan_owner_take(&wf->dev->owner, wf);
	if (ret)
		return ret;
	return wiascan_queue_streamon(&wf->dev->queue, wf);
}

/* On -EBUSY the owner's pid is copied out with the error */
static int wiascan_ioc_claim(struct wiascan_file *wf, void __user *arg)
{
	struct wiascan_claim claim;
	int ret;

	if (copy_from_user(&claim, arg, sizeof(claim)))
		return -EFAULT;
	ret = wiascan_owner_claim(wf->dev, wf, &claim);
	if (ret && ret != -EBUSY)
		return ret;
	if (copy_to_user(arg, &claim, sizeof(claim)))
		return -EFAULT;
	return ret;
}

/*
 * Every handler copies its argument in, works on the kernel copy and
 * copies it out; no lock of the driver is held across a user copy.
 */
static long wiascan_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct wiascan_file *wf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case WIASCAN_IOC_QUERYCAP:
		return wiascan_ioc_querycap(wf, uarg);
	case WIASCAN_IOC_REQBUFS:
		return wiascan_ioc_reqbufs(wf, uarg);
	case WIASCAN_IOC_QUERYBUF:
	case WIASCAN_IOC_QBUF:
	case WIASCAN_IOC_DQBUF:
		return wiascan_ioc_buffer(wf, cmd, uarg,
					  file->f_flags & O_NONBLOCK);
	case WIASCAN_IOC_STREAMON:
		return wiascan_ioc_streamon(wf);
	case WIASCAN_IOC_STREAMOFF:
		return wiascan_queue_streamoff(&wf->dev->queue, wf);
	case WIASCAN_IOC_CONTROL:
		return wiascan_ioc_control(wf, uarg);
	case WIASCAN_IOC_WAIT_EVENT:
		return wiascan_ioc_wait_event(wf, uarg);
	case WIASCAN_IOC_SET_TIMEOUT:
		return wiascan_ioc_set_timeout(wf, uarg);
	case WIASCAN_IOC_CLEAR_HALT:
		return wiascan_ioc_clear_halt(wf, uarg);
	case WIASCAN_IOC_CLAIM:
		return wiascan_ioc_claim(wf, uarg);
	case WIASCAN_IOC_UNCLAIM:
		return wiascan_owner_unclaim(wf->dev, wf);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations wiascan_fops = {
	.owner = THIS_MODULE,
	.open = wiascan_open,
	.release = wiascan_release,
	.read = wiascan_read,
	.write = wiascan_write,
	.poll = wiascan_poll,
	.mmap = wiascan_mmap,
	.unlocked_ioctl = wiascan_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct usb_class_driver wiascan_class = {
	.name = "wiascan%d",
	.fops = &wiascan_fops,
	.minor_base = WIASCAN_MINOR_BASE,
};

/*
 * Each buffer is one sg URB when the host controller can take as many sg
 * entries as the largest buffer has pages; otherwise buffers are
 * physically contiguous and smaller.
 */
static bool wiascan_can_sg(struct usb_device *udev)
{
	return READ_ONCE(scatter_gather) &&
	       udev->bus->sg_tablesize >= WIASCAN_MAX_BUFFER_SIZE / PAGE_SIZE;
}

static int wiascan_probe(struct usb_interface *intf,
			 const struct usb_device_id *id)
{
	struct usb_host_interface *alt = intf->cur_altsetting;
	struct wiascan_dev *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	kref_init(&dev->kref);
	mutex_init(&dev->io_mutex);
	mutex_init(&dev->read_mutex);
	mutex_init(&dev->write_mutex);
	wiascan_owner_init(&dev->owner);
	init_usb_anchor(&dev->stream_anchor);
	init_usb_anchor(&dev->sync_anchor);
	dev->udev = usb_get_dev(interface_to_usbdev(intf));
	dev->intf = usb_get_intf(intf);

	/* image data is what a scanner is for; the rest is optional */
	if (usb_find_bulk_in_endpoint(alt, &dev->bulk_in)) {
		dev_err(&intf->dev, "no bulk-in endpoint\n");
		ret = -ENODEV;
		goto err_put;
	}
	/* usbcore skips such endpoints; the transfer lengths divide by it */
	if (!usb_endpoint_maxp(dev->bulk_in)) {
		dev_err(&intf->dev, "bulk-in wMaxPacketSize is 0\n");
		ret = -ENODEV;
		goto err_put;
	}
	if (usb_find_bulk_out_endpoint(alt, &dev->bulk_out))
		dev->bulk_out = NULL;
	if (usb_find_int_in_endpoint(alt, &dev->intr_in))
		dev->intr_in = NULL;
	dev->use_sg = wiascan_can_sg(dev->udev);
	wiascan_queue_init(&dev->queue, &wiascan_transport_ops, !dev->use_sg,
			   usb_endpoint_maxp(dev->bulk_in));

	ret = wiascan_event_init(dev);
	if (ret)
		goto err_put;

	usb_set_intfdata(intf, dev);
	ret = usb_register_dev(intf, &wiascan_class);
	if (ret) {
		dev_err(&intf->dev, "cannot get a minor: %d\n", ret);
		goto err_intfdata;
	}
	wiascan_event_start(dev);

	dev_info(&intf->dev, "scanner attached, minor %d%s\n", intf->minor,
		 dev->use_sg ? ", scatter-gather" : "");
	return 0;

err_intfdata:
	usb_set_intfdata(intf, NULL);
err_put:
	kref_put(&dev->kref, wiascan_delete);
	return ret;
}

static void wiascan_disconnect(struct usb_interface *intf)
{
	struct wiascan_dev *dev = usb_get_intfdata(intf);
	int minor = intf->minor;

	/* first: it waits for any open() in progress and stops new ones */
	usb_deregister_dev(intf, &wiascan_class);

	/* then no URB is submitted any more, and CLAIM fails */
	mutex_lock(&dev->io_mutex);
	WRITE_ONCE(dev->disconnected, true);
	mutex_unlock(&dev->io_mutex);

	/*
	 * Then each part kills its URBs and wakes its waiters, under its own
	 * flag: the event fifo, the synchronous and streaming URBs, and last
	 * the queue, whose waiters must find every URB already ended.
	 */
	wiascan_event_disconnect(dev);
	wiascan_transport_disconnect(dev);
	wiascan_queue_disconnect(&dev->queue);

	kref_put(&dev->kref, wiascan_delete);
	dev_info(&intf->dev, "scanner minor %d disconnected\n", minor);
}

static const struct usb_device_id wiascan_table[] = {
	{ USB_DEVICE_AND_INTERFACE_INFO(WIASCAN_REF_VENDOR_ID,
					WIASCAN_REF_PRODUCT_ID,
					WIASCAN_REF_IF_CLASS,
					WIASCAN_REF_IF_SUBCLASS,
					WIASCAN_REF_IF_PROTOCOL) },
	{ }
};
MODULE_DEVICE_TABLE(usb, wiascan_table);

static struct usb_driver wiascan_driver = {
	.name = "wiascan",
	.probe = wiascan_probe,
	.disconnect = wiascan_disconnect,
	.id_table = wiascan_table,
};

module_usb_driver(wiascan_driver);

MODULE_AUTHOR("The wiascan project");
MODULE_DESCRIPTION("USB document scanner driver with mmap'd buffer ring");
MODULE_LICENSE("GPL");
