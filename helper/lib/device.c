// SPDX-License-Identifier: GPL-2.0
/*
 * The wiascan node: open, capabilities, the mapped buffer ring, control
 * transfers and events.  The only file that includes the uapi header.
 *
 * The ring follows the videobuf2 pattern: REQBUFS, QUERYBUF + mmap of each
 * buffer (read-only, shared), QBUF all, STREAMON, then DQBUF / QBUF.  A
 * dequeued buffer is handed out as a view into the mapping, so its bytes
 * are never copied here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/wiascan.h>

#include "device.h"

/* An ioctl as 0 or -errno; EINTR is returned so callers can check for cancel */
static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static void caps_from_uapi(struct device_caps *c, const struct wiascan_caps *u)
{
	c->abi_version = u->abi_version;
	c->streaming = u->caps & WIASCAN_CAP_STREAMING;
	c->read = u->caps & WIASCAN_CAP_READ;
	c->write = u->caps & WIASCAN_CAP_WRITE;
	c->events = u->caps & WIASCAN_CAP_EVENTS;
	c->sg = u->caps & WIASCAN_CAP_SG;
	c->claim = u->caps & WIASCAN_CAP_CLAIM;
#ifdef WIASCAN_CAP_XFER_LENGTH
	c->xfer_length = u->caps & WIASCAN_CAP_XFER_LENGTH;
#endif
#ifdef WIASCAN_CAP_READ_IDLE
	c->read_idle = u->caps & WIASCAN_CAP_READ_IDLE;
#endif
	c->speed = u->speed;
	c->interface = u->interface;
	c->vendor_id = (uint16_t)u->vendor_id;
	c->product_id = (uint16_t)u->product_id;
	c->bulk_in_ep = u->bulk_in_ep;
	c->bulk_in_maxpacket = u->bulk_in_maxpacket;
	c->bulk_out_ep = u->bulk_out_ep;
	c->bulk_out_maxpacket = u->bulk_out_maxpacket;
	c->intr_in_ep = u->intr_in_ep;
	c->intr_in_maxpacket = u->intr_in_maxpacket;
	c->max_buffers = u->max_buffers;
	c->max_buffer_size = u->max_buffer_size;
	c->max_total_bytes = u->max_total_bytes;
	c->max_ctrl_length = u->max_ctrl_length;
	c->timeout_ms = u->timeout_ms;
}

static int device_querycap(struct device *dev)
{
	struct wiascan_caps caps;
	int ret;

	memset(&caps, 0, sizeof(caps));
	ret = xioctl(dev->fd, WIASCAN_IOC_QUERYCAP, &caps);
	if (ret == -ENOTTY || ret == -EINVAL)
		return -ENOTTY; /* a node, but not a wiascan one */
	if (ret)
		return ret;
	/* ABI 2 only adds to 1: a version 1 driver lacks only its bits */
	if (caps.abi_version < 1 || caps.abi_version > WIASCAN_ABI_VERSION)
		return -EPROTO;
	caps_from_uapi(&dev->caps, &caps);
	return 0;
}

/*
 * Open @path and read its capabilities.  -ENOTTY: not a wiascan node;
 * -EPROTO: a driver with another ABI version.
 */
int wias_device_open(const char *path, struct device **out)
{
	struct device *dev;
	struct stat st;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	if (fstat(dev->fd, &st)) {
		ret = -errno;
		goto err_close;
	}
	if (!S_ISCHR(st.st_mode)) {
		ret = -ENOTTY;
		goto err_close;
	}
	dev->rdev = st.st_rdev;
	ret = device_querycap(dev);
	if (ret)
		goto err_close;
	*out = dev;
	return 0;

err_close:
	close(dev->fd);
err_free:
	free(dev);
	return ret;
}

/* Undo everything: stream off, unmap, free the ring, unclaim, close */
void wias_device_close(struct device *dev)
{
	if (!dev)
		return;
	wias_device_free_buffers(dev);
	wias_device_unclaim(dev);
	close(dev->fd);
	free(dev->proto_priv);
	free(dev);
}

int wias_device_set_timeout(struct device *dev, uint32_t timeout_ms)
{
	struct wiascan_timeout t;
	int ret;

	memset(&t, 0, sizeof(t));
	t.timeout_ms = timeout_ms;
	ret = xioctl(dev->fd, WIASCAN_IOC_SET_TIMEOUT, &t);
	if (!ret)
		dev->caps.timeout_ms = timeout_ms;
	return ret;
}

static int device_reqbufs(struct device *dev, uint32_t *count, uint32_t *size)
{
	struct wiascan_reqbufs rb;
	int ret;

	memset(&rb, 0, sizeof(rb));
	rb.count = *count;
	rb.size = *size;
	ret = xioctl(dev->fd, WIASCAN_IOC_REQBUFS, &rb);
	if (ret)
		return ret;
	*count = rb.count;
	*size = rb.size;
	return 0;
}

static int device_map_one(struct device *dev, unsigned int index)
{
	struct wiascan_buffer b;
	void *addr;
	int ret;

	memset(&b, 0, sizeof(b));
	b.index = index;
	ret = xioctl(dev->fd, WIASCAN_IOC_QUERYBUF, &b);
	if (ret)
		return ret;
	addr = mmap(NULL, b.length, PROT_READ, MAP_SHARED, dev->fd,
		    (off_t)b.offset);
	if (addr == MAP_FAILED)
		return -errno;
	dev->bufs[index].addr = addr;
	dev->bufs[index].length = b.length;
	return 0;
}

/* Fit @count x @size into the driver's limits, keeping at least 2 buffers */
static void device_fit_ring(const struct device_caps *caps, uint32_t *count,
			    uint32_t *size)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t total = caps->max_total_bytes;

	if (caps->max_buffers && *count > caps->max_buffers)
		*count = caps->max_buffers;
	if (caps->max_buffer_size && *size > caps->max_buffer_size)
		*size = caps->max_buffer_size;
	if (!total)
		return;
	if ((uint64_t)*count * *size > total && total / *size >= 2)
		*count = (uint32_t)(total / *size);
	if ((uint64_t)*count * *size > total) {
		*count = 2;
		*size = (uint32_t)(total / 2 / (uint64_t)page * (uint64_t)page);
	}
}

/*
 * Ask for @count buffers of @size bytes (fewer or smaller if the driver's
 * limits say so) and map each read-only.
 */
int wias_device_alloc_buffers(struct device *dev, unsigned int count,
			      size_t size)
{
	uint32_t n = count,
		 sz = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	unsigned int i;
	int ret;

	if (dev->bufs)
		return -EBUSY;
	device_fit_ring(&dev->caps, &n, &sz);
	if (n == 0 || sz == 0)
		return -EINVAL;
	for (;;) {
		ret = device_reqbufs(dev, &n, &sz);
		if (ret != -ENOMEM || n <= 2)
			break;
		n /= 2; /* memory is tight: a shorter ring still works */
	}
	if (ret)
		return ret;
	if (n == 0)
		return -ENOMEM;
	dev->bufs = calloc(n, sizeof(*dev->bufs));
	if (!dev->bufs) {
		ret = -ENOMEM;
		goto err_free;
	}
	dev->nbufs = n;
	dev->buf_size = sz;
	for (i = 0; i < n; i++) {
		ret = device_map_one(dev, i);
		if (ret)
			goto err_unmap;
	}
	return 0;

err_unmap:
	wias_device_free_buffers(dev);
	return ret;
err_free:
	n = 0;
	device_reqbufs(dev, &n, &sz);
	return ret;
}

/* Stream off, unmap every buffer, then free the ring (REQBUFS 0) */
void wias_device_free_buffers(struct device *dev)
{
	uint32_t n = 0, sz = 0;
	unsigned int i;

	if (!dev->bufs)
		return;
	wias_device_streamoff(dev);
	for (i = 0; i < dev->nbufs; i++) {
		if (dev->bufs[i].addr)
			munmap((void *)dev->bufs[i].addr, dev->bufs[i].length);
	}
	free(dev->bufs);
	dev->bufs = NULL;
	dev->nbufs = 0;
	dev->buf_size = 0;
	device_reqbufs(dev, &n, &sz);
}

int wias_device_qbuf(struct device *dev, unsigned int index)
{
	struct wiascan_buffer b;

	if (index >= dev->nbufs)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	b.index = index;
	return xioctl(dev->fd, WIASCAN_IOC_QBUF, &b);
}

/*
 * Queue buffer @index asking the device for @xfer_length bytes (0: the
 * whole buffer).  ABI 2 (WIASCAN_CAP_XFER_LENGTH): the length must be a
 * multiple of the bulk-in wMaxPacketSize and fit the buffer, else -EINVAL;
 * a driver without the capability gets -EOPNOTSUPP here, nothing sent.
 */
int wias_device_qbuf_len(struct device *dev, unsigned int index,
			 uint32_t xfer_length)
{
	struct wiascan_buffer b;

	if (!xfer_length)
		return wias_device_qbuf(dev, index);
	if (!dev->caps.xfer_length)
		return -EOPNOTSUPP;
	if (index >= dev->nbufs)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	b.index = index;
#ifdef WIASCAN_CAP_XFER_LENGTH
	b.xfer_length = xfer_length;
#else
	b.reserved[0] = xfer_length; /* where ABI 2 puts it */
#endif
	return xioctl(dev->fd, WIASCAN_IOC_QBUF, &b);
}

/*
 * Take the oldest filled buffer.  A transfer error is reported in
 * @view->status (the buffer is still returned, so it can be queued again);
 * a gap in the sequence numbers means the driver lost buffers, which loses
 * image data: -EIO with @view->lost set.
 */
int wias_device_dqbuf(struct device *dev, struct device_view *view)
{
	struct wiascan_buffer b;
	int ret;

	memset(&b, 0, sizeof(b));
	ret = xioctl(dev->fd, WIASCAN_IOC_DQBUF, &b);
	if (ret)
		return ret;
	if (b.index >= dev->nbufs || b.bytesused > dev->bufs[b.index].length)
		return -EPROTO; /* the driver broke its own ABI */
	memset(view, 0, sizeof(*view));
	view->data = dev->bufs[b.index].addr;
	view->bytesused = b.bytesused;
	view->index = b.index;
	view->end_of_page = b.flags & WIASCAN_BUF_FLAG_END_OF_PAGE;
	if (b.flags & WIASCAN_BUF_FLAG_ERROR)
		view->status = b.status ? -(int)b.status : -EIO;
	view->sequence = b.sequence;
	view->timestamp_ns = b.timestamp_ns;
	if (b.sequence != dev->next_sequence) {
		view->lost = b.sequence > dev->next_sequence ?
				     b.sequence - dev->next_sequence :
				     0;
		dev->next_sequence = b.sequence + 1;
		return -EIO;
	}
	dev->next_sequence++;
	return 0;
}

int wias_device_streamon(struct device *dev)
{
	int ret = xioctl(dev->fd, WIASCAN_IOC_STREAMON, NULL);

	if (!ret) {
		dev->streaming = true;
		dev->next_sequence = 0;
	}
	return ret;
}

int wias_device_streamoff(struct device *dev)
{
	if (!dev->streaming)
		return 0;
	dev->streaming = false;
	return xioctl(dev->fd, WIASCAN_IOC_STREAMOFF, NULL);
}

/*
 * Wait up to @timeout_ms (-1 forever) until a buffer is done or an event
 * is pending.  -ENODEV once the device is gone, -ETIMEDOUT, -EINTR.
 */
int wias_device_wait(struct device *dev, int timeout_ms, unsigned int *ready)
{
	struct pollfd pfd = { .fd = dev->fd, .events = POLLIN | POLLPRI };
	int n;

	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	*ready = 0;
	if (pfd.revents & POLLIN)
		*ready |= DEVICE_READY_BUFFER;
	if (pfd.revents & POLLPRI)
		*ready |= DEVICE_READY_EVENT;
	/* Buffers and events already done can still be collected */
	if (!*ready && (pfd.revents & (POLLHUP | POLLERR)))
		return -ENODEV;
	if (!*ready)
		return -EIO;
	return 0;
}

/*
 * Whether the device goes away within @timeout_ms.  When a cable is pulled
 * the host controller fails the transfers in flight (-EPROTO and the like)
 * a moment before the driver hears of the disconnect; waiting for the
 * hang-up tells an unplug from a real bus error.
 */
bool wias_device_gone(struct device *dev, int timeout_ms)
{
	struct pollfd pfd = { .fd = dev->fd, .events = 0 };
	struct timespec start, now;
	int left = timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (poll(&pfd, 1, left) > 0 && (pfd.revents & POLLHUP))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms -
		       (int)((now.tv_sec - start.tv_sec) * 1000 +
			     (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			return false;
	}
}

/*
 * A class or vendor request to the bound interface; the driver puts the
 * interface number in the low byte of wIndex.
 */
int wias_device_control(struct device *dev, uint8_t request_type,
			uint8_t request, uint16_t value, uint8_t index_high,
			void *data, uint16_t length, uint32_t timeout_ms,
			uint32_t *actual)
{
	struct wiascan_ctrl c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.request_type = request_type;
	c.request = request;
	c.value = value;
	c.index = index_high;
	c.length = length;
	c.timeout_ms = timeout_ms;
	c.data = (uintptr_t)data;
	ret = xioctl(dev->fd, WIASCAN_IOC_CONTROL, &c);
	if (!ret && actual)
		*actual = c.actual;
	return ret;
}

int wias_device_wait_event(struct device *dev, uint32_t timeout_ms,
			   bool nonblock, struct device_event *ev)
{
	struct wiascan_event e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.timeout_ms = timeout_ms;
	e.flags = nonblock ? WIASCAN_EVENT_NONBLOCK : 0;
	ret = xioctl(dev->fd, WIASCAN_IOC_WAIT_EVENT, &e);
	if (ret)
		return ret;
	memset(ev, 0, sizeof(*ev));
	ev->length = e.length < sizeof(ev->data) ? e.length : sizeof(ev->data);
	memcpy(ev->data, e.data, ev->length);
	ev->lost = e.lost;
	ev->sequence = e.sequence;
	ev->timestamp_ns = e.timestamp_ns;
	return 0;
}

int wias_device_clear_halt(struct device *dev, uint32_t endpoint)
{
	struct wiascan_clear_halt h;

	memset(&h, 0, sizeof(h));
	h.endpoint = endpoint;
	return xioctl(dev->fd, WIASCAN_IOC_CLEAR_HALT, &h);
}

/*
 * Make this file the scanner's owner.  -EBUSY with @info->owner_pid while
 * another file owns it; -ENOTTY from a driver without the claim (the
 * caller checks caps.claim first).
 */
int wias_device_claim(struct device *dev, struct device_claim_info *info)
{
	struct wiascan_claim c;
	int ret;

	memset(&c, 0, sizeof(c));
	memset(info, 0, sizeof(*info));
	ret = xioctl(dev->fd, WIASCAN_IOC_CLAIM, &c);
	info->owner_pid = c.owner_pid;
	if (ret)
		return ret;
	dev->claimed = true;
	info->abandoned = c.flags & WIASCAN_CLAIM_FLAG_ABANDONED;
	return 0;
}

/* Give the claim up (the ring must be freed first); 0 if none was held */
int wias_device_unclaim(struct device *dev)
{
	if (!dev->claimed)
		return 0;
	dev->claimed = false;
	return xioctl(dev->fd, WIASCAN_IOC_UNCLAIM, NULL);
}

/* One read() from bulk-in, bounded by the file's timeout: bytes or -errno */
int wias_device_read(struct device *dev, void *buf, size_t len)
{
	ssize_t n = read(dev->fd, buf, len);

	return n < 0 ? -errno : (int)n;
}

/* One write() to bulk-out, bounded by the file's timeout: bytes or -errno */
int wias_device_write(struct device *dev, const void *buf, size_t len)
{
	ssize_t n = write(dev->fd, buf, len);

	return n < 0 ? -errno : (int)n;
}
