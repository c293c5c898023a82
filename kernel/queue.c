// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan: the buffer ring
 *
 * A ring is a set of buffers of whole pages allocated by REQBUFS.  Each
 * buffer is in one of three states: dequeued (user space has it), queued
 * (the driver has it; while streaming the transport is filling it) and
 * done (filled, on the done list until DQBUF takes it).  User space maps
 * the buffers read-only.  This file knows nothing about URBs: it asks the
 * transport to fill a buffer through &struct wiascan_queue_ops and is told
 * of the result by wiascan_queue_buf_done() or wiascan_queue_buf_cancelled().
 *
 * Lifetime: the queue holds one reference on its current ring and every
 * VMA mapping a buffer holds another, so pages stay valid until the last
 * munmap() even when the owner's file was closed (which frees the ring
 * mapped or not) or the device unplugged meanwhile.  REQBUFS itself, to
 * free or replace the ring, fails with -EBUSY while a buffer is mapped.
 */

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "wiascan.h"

/*
 * Buffer memory of every ring of every device, freed or not yet, until its
 * last mapping goes: what the system-wide cap (max_total_mb) limits.
 */
static atomic64_t wiascan_pinned_bytes = ATOMIC64_INIT(0);

/**
 * wiascan_queue_init() - set up an empty queue
 * @q: the queue, zeroed
 * @ops: the transport behind it
 * @contiguous: buffers must be physically contiguous (no sg URBs)
 * @xfer_align: bytes a QBUF's &wiascan_buffer.xfer_length must be a
 *	multiple of: the bulk-in endpoint's wMaxPacketSize, not 0
 */
void wiascan_queue_init(struct wiascan_queue *q,
			const struct wiascan_queue_ops *ops, bool contiguous,
			unsigned int xfer_align)
{
	q->ops = ops;
	q->contiguous = contiguous;
	q->xfer_align = xfer_align;
	q->max_buffer_size = contiguous ? WIASCAN_MAX_CONTIG_SIZE :
					  WIASCAN_MAX_BUFFER_SIZE;
	mutex_init(&q->lock);
	spin_lock_init(&q->done_lock);
	INIT_LIST_HEAD(&q->queued_list);
	INIT_LIST_HEAD(&q->done_list);
	init_waitqueue_head(&q->wait);
}

static void wiascan_buf_free_pages(struct wiascan_buf *buf)
{
	unsigned int i;

	for (i = 0; i < buf->npages; i++)
		if (buf->pages[i])
			__free_page(buf->pages[i]);
	kvfree(buf->pages);
	buf->pages = NULL;
}

/*
 * Without scatter-gather the URB needs one physically contiguous buffer:
 * take one higher-order block and split it into order-0 pages, so that
 * mapping and freeing treat both kinds of buffer alike.
 */
static int wiascan_buf_alloc_contig(struct wiascan_buf *buf, gfp_t gfp)
{
	unsigned int order = get_order((size_t)buf->npages << PAGE_SHIFT);
	struct page *page;
	unsigned int i;

	page = alloc_pages(gfp, order);
	if (!page)
		return -ENOMEM;
	split_page(page, order);
	for (i = 0; i < (1U << order); i++) {
		if (i < buf->npages)
			buf->pages[i] = page + i;
		else
			__free_page(page + i);
	}
	return 0;
}

static int wiascan_buf_alloc_pages(struct wiascan_buf *buf,
				   unsigned int npages, bool contiguous)
{
	/* zeroed: the pages are mapped into user space */
	const gfp_t gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN;
	unsigned int i;

	buf->pages = kvcalloc(npages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		return -ENOMEM;
	buf->npages = npages;

	if (contiguous)
		return wiascan_buf_alloc_contig(buf, gfp);

	for (i = 0; i < npages; i++) {
		buf->pages[i] = alloc_page(gfp);
		if (!buf->pages[i])
			return -ENOMEM;
	}
	return 0;
}

static void wiascan_ring_release(struct kref *kref)
{
	struct wiascan_ring *ring = container_of(kref, struct wiascan_ring,
						 kref);
	struct wiascan_queue *q = ring->queue;
	unsigned int i;

	for (i = 0; i < ring->count; i++) {
		q->ops->buf_cleanup(q, &ring->bufs[i]);
		wiascan_buf_free_pages(&ring->bufs[i]);
	}
	atomic64_sub(ring->charged, &wiascan_pinned_bytes);
	kfree(ring);
}

static void wiascan_ring_put(struct wiascan_ring *ring)
{
	kref_put(&ring->kref, wiascan_ring_release);
}

static struct wiascan_ring *wiascan_ring_alloc(struct wiascan_queue *q,
					       unsigned int count,
					       unsigned int size,
					       u64 max_system)
{
	u64 bytes = (u64)count * size;
	struct wiascan_ring *ring;
	struct wiascan_buf *buf;
	unsigned int i;
	int ret;

	/* charge first, so that racing REQBUFS on other devices see it */
	if (atomic64_add_return(bytes, &wiascan_pinned_bytes) > max_system) {
		atomic64_sub(bytes, &wiascan_pinned_bytes);
		return ERR_PTR(-ENOMEM);
	}
	ring = kzalloc(struct_size(ring, bufs, count), GFP_KERNEL);
	if (!ring) {
		atomic64_sub(bytes, &wiascan_pinned_bytes);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&ring->kref);
	ring->queue = q;
	ring->size = size;
	ring->charged = bytes;

	/* ring->count counts the buffers that are complete, for the release */
	for (i = 0; i < count; i++) {
		buf = &ring->bufs[i];
		buf->ring = ring;
		buf->index = i;
		buf->offset = (u64)i * size;
		buf->state = WIASCAN_BUF_DEQUEUED;
		INIT_LIST_HEAD(&buf->list);
		atomic_set(&buf->mapcount, 0);

		ret = wiascan_buf_alloc_pages(buf, size >> PAGE_SHIFT,
					      q->contiguous);
		if (!ret)
			ret = q->ops->buf_init(q, buf);
		if (ret) {
			wiascan_buf_free_pages(buf);
			wiascan_ring_put(ring);
			return ERR_PTR(ret);
		}
		ring->count++;
	}
	return ring;
}

static bool wiascan_ring_mapped(struct wiascan_ring *ring)
{
	unsigned int i;

	for (i = 0; i < ring->count; i++)
		if (atomic_read(&ring->bufs[i].mapcount))
			return true;
	return false;
}

/* Called with q->lock: only the owner of an existing ring may go on */
static int wiascan_queue_check_owner(struct wiascan_queue *q,
				     const void *owner)
{
	lockdep_assert_held(&q->lock);
	if (!q->ring)
		return -EINVAL;
	if (q->owner != owner)
		return -EBUSY;
	return 0;
}

/*
 * Called with q->lock: whether a buffer is queued to the transport.  While
 * streaming every queued buffer is in flight (or being submitted under
 * q->lock); a completion only ever takes a buffer out of the state.
 */
static bool wiascan_queue_in_flight(struct wiascan_queue *q)
{
	bool busy = false;
	unsigned int i;

	lockdep_assert_held(&q->lock);
	if (!q->ring)
		return false;
	spin_lock_irq(&q->done_lock);
	for (i = 0; i < q->ring->count && !busy; i++)
		busy = q->ring->bufs[i].state == WIASCAN_BUF_QUEUED;
	spin_unlock_irq(&q->done_lock);
	return busy;
}

/*
 * Called with q->lock: cancel every transfer and give every buffer back
 * to user space.  Data in flight or not yet dequeued is discarded.
 */
static void wiascan_queue_stop(struct wiascan_queue *q)
{
	struct wiascan_buf *buf;
	unsigned int i;

	lockdep_assert_held(&q->lock);
	if (q->streaming) {
		WRITE_ONCE(q->streaming, false);
		q->ops->stop_streaming(q);
	}

	if (q->ring) {
		spin_lock_irq(&q->done_lock);
		INIT_LIST_HEAD(&q->queued_list);
		INIT_LIST_HEAD(&q->done_list);
		for (i = 0; i < q->ring->count; i++) {
			buf = &q->ring->bufs[i];
			buf->state = WIASCAN_BUF_DEQUEUED;
			INIT_LIST_HEAD(&buf->list);
			buf->flags = 0;
			buf->xfer_length = 0;
			buf->bytesused = 0;
			buf->status = 0;
		}
		spin_unlock_irq(&q->done_lock);
	}
	wake_up_all(&q->wait);
}

/* Called with q->lock: stop and let the ring go (mappings keep it alive) */
static void wiascan_queue_drop_ring(struct wiascan_queue *q)
{
	struct wiascan_ring *ring = q->ring;

	lockdep_assert_held(&q->lock);
	wiascan_queue_stop(q);
	q->ring = NULL;
	WRITE_ONCE(q->owner, NULL);
	if (ring)
		wiascan_ring_put(ring);
}

/* The checks of a REQBUFS argument that need no lock: 0 or -EINVAL */
int wiascan_queue_reqbufs_check(struct wiascan_queue *q,
				const struct wiascan_reqbufs *req)
{
	if (req->flags || memchr_inv(req->reserved, 0, sizeof(req->reserved)))
		return -EINVAL;
	if (req->count && (req->count > WIASCAN_MAX_BUFFERS || !req->size ||
			   req->size > q->max_buffer_size))
		return -EINVAL;
	return 0;
}

/*
 * @max_total caps this device's ring; @max_system caps the rings of every
 * device together (and those still mapped after their device went).
 */
int wiascan_queue_reqbufs(struct wiascan_queue *q, const void *owner,
			  struct wiascan_reqbufs *req, u64 max_total,
			  u64 max_system)
{
	struct wiascan_ring *ring;
	unsigned int size;
	int ret = 0;

	ret = wiascan_queue_reqbufs_check(q, req);
	if (ret)
		return ret;

	mutex_lock(&q->lock);
	if (q->ring && q->owner != owner) {
		ret = -EBUSY;
		goto out;
	}
	if (q->ring && wiascan_ring_mapped(q->ring)) {
		ret = -EBUSY;
		goto out;
	}
	if (req->count == 0) {
		wiascan_queue_drop_ring(q);
		req->size = 0;
		goto out;
	}
	if (READ_ONCE(q->disconnected)) {
		ret = -ENODEV;
		goto out;
	}
	size = PAGE_ALIGN(req->size);
	if ((u64)req->count * size > max_total) {
		ret = -ENOMEM;
		goto out;
	}
	if (q->streaming) {
		ret = -EBUSY;
		goto out;
	}

	wiascan_queue_drop_ring(q);
	ring = wiascan_ring_alloc(q, req->count, size, max_system);
	if (IS_ERR(ring)) {
		ret = PTR_ERR(ring);
		goto out;
	}
	q->ring = ring;
	WRITE_ONCE(q->owner, owner);
	req->size = size;
out:
	mutex_unlock(&q->lock);
	return ret;
}

/* Called with q->done_lock: describe @buf to user space */
static void wiascan_buf_fill(struct wiascan_buf *buf, struct wiascan_buffer *b)
{
	lockdep_assert_held(&buf->ring->queue->done_lock);
	memset(b, 0, sizeof(*b));
	b->index = buf->index;
	b->flags = buf->flags;
	if (buf->state == WIASCAN_BUF_QUEUED)
		b->flags |= WIASCAN_BUF_FLAG_QUEUED;
	else if (buf->state == WIASCAN_BUF_DONE)
		b->flags |= WIASCAN_BUF_FLAG_DONE;
	if (atomic_read(&buf->mapcount))
		b->flags |= WIASCAN_BUF_FLAG_MAPPED;
	b->length = buf->npages << PAGE_SHIFT;
	b->xfer_length = buf->xfer_length;
	b->bytesused = buf->bytesused;
	b->offset = buf->offset;
	b->sequence = buf->sequence;
	b->timestamp_ns = buf->timestamp_ns;
	b->status = buf->status;
}

/* Called with q->lock: the buffer user space names, or NULL */
static struct wiascan_buf *wiascan_queue_find(struct wiascan_queue *q,
					      const struct wiascan_buffer *b)
{
	lockdep_assert_held(&q->lock);
	if (!q->ring || b->index >= q->ring->count)
		return NULL;
	return &q->ring->bufs[b->index];
}

int wiascan_queue_querybuf(struct wiascan_queue *q, struct wiascan_buffer *b)
{
	struct wiascan_buf *buf;
	int ret = 0;

	if (memchr_inv(b->reserved, 0, sizeof(b->reserved)))
		return -EINVAL;

	mutex_lock(&q->lock);
	buf = wiascan_queue_find(q, b);
	if (buf) {
		spin_lock_irq(&q->done_lock);
		wiascan_buf_fill(buf, b);
		spin_unlock_irq(&q->done_lock);
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&q->lock);
	return ret;
}

/**
 * wiascan_queue_qbuf() - give a buffer to the driver (QBUF)
 * @q: the queue
 * @owner: the calling file
 * @b: in: index, flags (0), xfer_length (0 or a multiple of
 *	&wiascan_queue.xfer_align up to the buffer's length, in bytes),
 *	reserved (0); out: the buffer's state
 *
 * While streaming the buffer's transfer starts at once, unless a read()
 * or CLEAR_HALT holds the bulk-in endpoint (&wiascan_queue.bulk_in_users).
 *
 * Return: 0; -EINVAL for a bad argument or a buffer not dequeued; -EBUSY
 * for another file's queue, or while streaming and the bulk-in endpoint is
 * held; -ENODEV once unplugged; or the transport's submission error.
 */
int wiascan_queue_qbuf(struct wiascan_queue *q, const void *owner,
		       struct wiascan_buffer *b)
{
	struct wiascan_buf *buf;
	int ret;

	if (b->flags || memchr_inv(b->reserved, 0, sizeof(b->reserved)) ||
	    b->xfer_length % q->xfer_align)
		return -EINVAL;

	mutex_lock(&q->lock);
	ret = wiascan_queue_check_owner(q, owner);
	if (ret)
		goto out;
	buf = wiascan_queue_find(q, b);
	if (!buf || b->xfer_length > buf->npages << PAGE_SHIFT) {
		ret = -EINVAL;
		goto out;
	}
	/* read() or CLEAR_HALT is using the bulk-in endpoint */
	if (q->streaming && q->bulk_in_users) {
		ret = -EBUSY;
		goto out;
	}

	spin_lock_irq(&q->done_lock);
	if (q->disconnected)
		ret = -ENODEV;
	else if (buf->state != WIASCAN_BUF_DEQUEUED)
		ret = -EINVAL;
	if (ret) {
		spin_unlock_irq(&q->done_lock);
		goto out;
	}
	buf->state = WIASCAN_BUF_QUEUED;
	buf->flags = 0;
	buf->xfer_length = b->xfer_length;
	buf->bytesused = 0;
	buf->status = 0;
	if (!q->streaming)
		list_add_tail(&buf->list, &q->queued_list);
	spin_unlock_irq(&q->done_lock);

	if (q->streaming) {
		ret = q->ops->buf_queue(q, buf);
		if (ret) {
			/* never submitted, so no completion can race us */
			spin_lock_irq(&q->done_lock);
			buf->state = WIASCAN_BUF_DEQUEUED;
			spin_unlock_irq(&q->done_lock);
			goto out;
		}
	}

	spin_lock_irq(&q->done_lock);
	wiascan_buf_fill(buf, b);
	spin_unlock_irq(&q->done_lock);
out:
	mutex_unlock(&q->lock);
	return ret;
}

/* The wait condition of DQBUF and poll(): something changed */
static bool wiascan_queue_dqbuf_ready(struct wiascan_queue *q)
{
	bool ready;

	spin_lock_irq(&q->done_lock);
	ready = !list_empty(&q->done_list) || q->disconnected ||
		!READ_ONCE(q->streaming);
	spin_unlock_irq(&q->done_lock);
	return ready;
}

/*
 * Called with q->lock: take the oldest done buffer.  Returns 0, or
 * -EAGAIN when DQBUF should wait, or the error DQBUF returns.
 */
static int wiascan_queue_take_done(struct wiascan_queue *q,
				   struct wiascan_buffer *b)
{
	struct wiascan_buf *buf;
	int ret = 0;

	lockdep_assert_held(&q->lock);
	spin_lock_irq(&q->done_lock);
	buf = list_first_entry_or_null(&q->done_list, struct wiascan_buf,
				       list);
	if (buf) {
		list_del_init(&buf->list);
		buf->state = WIASCAN_BUF_DEQUEUED;
		wiascan_buf_fill(buf, b);
	} else if (q->disconnected) {
		ret = -ENODEV;
	} else if (!q->streaming) {
		ret = -EINVAL;
	} else {
		ret = -EAGAIN;
	}
	spin_unlock_irq(&q->done_lock);
	return ret;
}

int wiascan_queue_dqbuf(struct wiascan_queue *q, const void *owner,
			struct wiascan_buffer *b, bool nonblock,
			unsigned long timeout)
{
	long left;
	int ret;

	if (memchr_inv(b->reserved, 0, sizeof(b->reserved)))
		return -EINVAL;

	for (;;) {
		mutex_lock(&q->lock);
		ret = wiascan_queue_check_owner(q, owner);
		if (!ret)
			ret = wiascan_queue_take_done(q, b);
		mutex_unlock(&q->lock);
		if (ret != -EAGAIN || nonblock)
			return ret;

		left = wait_event_interruptible_timeout(q->wait,
							wiascan_queue_dqbuf_ready(q),
							timeout);
		if (left < 0)
			return left;
		if (left == 0)
			return -ETIMEDOUT;
		timeout = left;
	}
}

int wiascan_queue_streamon(struct wiascan_queue *q, const void *owner)
{
	struct wiascan_buf *buf, *tmp;
	LIST_HEAD(queued);
	int ret;

	mutex_lock(&q->lock);
	ret = wiascan_queue_check_owner(q, owner);
	if (ret)
		goto out;
	if (READ_ONCE(q->disconnected)) {
		ret = -ENODEV;
		goto out;
	}
	if (q->streaming)
		goto out;
	/* read() or CLEAR_HALT is using the bulk-in endpoint */
	if (q->bulk_in_users) {
		ret = -EBUSY;
		goto out;
	}
	ret = q->ops->start_streaming(q);
	if (ret)
		goto out;

	spin_lock_irq(&q->done_lock);
	q->sequence = 0;
	list_splice_init(&q->queued_list, &queued);
	spin_unlock_irq(&q->done_lock);
	WRITE_ONCE(q->streaming, true);

	list_for_each_entry_safe(buf, tmp, &queued, list) {
		list_del_init(&buf->list);
		ret = q->ops->buf_queue(q, buf);
		if (ret) {
			/* every buffer goes back to user space */
			wiascan_queue_stop(q);
			break;
		}
	}
out:
	mutex_unlock(&q->lock);
	return ret;
}

int wiascan_queue_streamoff(struct wiascan_queue *q, const void *owner)
{
	int ret;

	mutex_lock(&q->lock);
	ret = wiascan_queue_check_owner(q, owner);
	if (!ret)
		wiascan_queue_stop(q);
	mutex_unlock(&q->lock);
	return ret;
}

/* Whether @owner has a ring (UNCLAIM refuses then) */
bool wiascan_queue_has_ring(struct wiascan_queue *q, const void *owner)
{
	bool ret;

	mutex_lock(&q->lock);
	ret = q->ring && q->owner == owner;
	mutex_unlock(&q->lock);
	return ret;
}

/**
 * wiascan_queue_bulk_in_get() - use the bulk-in endpoint outside the ring
 * @q: the queue
 * @exclusive: no other user may have a transfer in flight meanwhile
 *	(CLEAR_HALT, which resets the data toggle); else shared (read(),
 *	which read_mutex orders)
 *
 * The ring's streaming URBs and the other users of bulk-in exclude each
 * other: STREAMON, and QBUF while streaming, fail with -EBUSY while a user
 * holds the endpoint, and the users fail with -EBUSY while the ring
 * streams with a buffer in flight (%WIASCAN_CAP_READ_IDLE: a streaming
 * ring with no buffer queued leaves the endpoint idle).  Both are decided
 * under q->lock, so neither a STREAMON nor a QBUF can submit between a
 * read()'s check and its URB.  Each successful call is paired with
 * wiascan_queue_bulk_in_put().
 *
 * Return: 0, or -EBUSY while a buffer is in flight or while another user
 * holds the endpoint in a way that excludes this one.
 */
int wiascan_queue_bulk_in_get(struct wiascan_queue *q, bool exclusive)
{
	int ret = 0;

	mutex_lock(&q->lock);
	if ((q->streaming && wiascan_queue_in_flight(q)) ||
	    q->bulk_in_exclusive || (exclusive && q->bulk_in_users)) {
		ret = -EBUSY;
	} else {
		q->bulk_in_users++;
		q->bulk_in_exclusive = exclusive;
	}
	mutex_unlock(&q->lock);
	return ret;
}

void wiascan_queue_bulk_in_put(struct wiascan_queue *q)
{
	mutex_lock(&q->lock);
	if (!WARN_ON_ONCE(!q->bulk_in_users))
		q->bulk_in_users--;
	q->bulk_in_exclusive = false;
	mutex_unlock(&q->lock);
}

/* The owner's file is closing: stop and free its ring */
void wiascan_queue_release(struct wiascan_queue *q, const void *owner)
{
	mutex_lock(&q->lock);
	if (q->ring && q->owner == owner)
		wiascan_queue_drop_ring(q);
	mutex_unlock(&q->lock);
}

/* The transport has already killed every URB; wake everybody with -ENODEV */
void wiascan_queue_disconnect(struct wiascan_queue *q)
{
	spin_lock_irq(&q->done_lock);
	q->disconnected = true;
	spin_unlock_irq(&q->done_lock);
	wake_up_all(&q->wait);
}

/**
 * wiascan_queue_buf_done() - the transport finished a transfer into @buf
 * @buf: the buffer
 * @bytes: bytes received
 * @status: 0 or the negative errno of the transfer
 * @end_of_page: the device ended its page (short or zero-length packet)
 *
 * Context: URB completion, any context.
 */
void wiascan_queue_buf_done(struct wiascan_buf *buf, unsigned int bytes,
			    int status, bool end_of_page)
{
	struct wiascan_queue *q = buf->ring->queue;
	u64 now = ktime_get_ns();
	unsigned long flags;

	spin_lock_irqsave(&q->done_lock, flags);
	buf->bytesused = bytes;
	buf->status = -status;
	buf->flags = 0;
	if (end_of_page)
		buf->flags |= WIASCAN_BUF_FLAG_END_OF_PAGE;
	if (status)
		buf->flags |= WIASCAN_BUF_FLAG_ERROR;
	buf->sequence = q->sequence++;
	buf->timestamp_ns = now;
	buf->state = WIASCAN_BUF_DONE;
	list_add_tail(&buf->list, &q->done_list);
	spin_unlock_irqrestore(&q->done_lock, flags);
	wake_up(&q->wait);
}

/**
 * wiascan_queue_buf_cancelled() - a transfer into @buf was killed
 * @buf: the buffer, given back to user space with no data
 *
 * Context: URB completion, any context.
 */
void wiascan_queue_buf_cancelled(struct wiascan_buf *buf)
{
	struct wiascan_queue *q = buf->ring->queue;
	unsigned long flags;

	spin_lock_irqsave(&q->done_lock, flags);
	buf->bytesused = 0;
	buf->state = WIASCAN_BUF_DEQUEUED;
	spin_unlock_irqrestore(&q->done_lock, flags);
	wake_up(&q->wait);
}

__poll_t wiascan_queue_poll(struct wiascan_queue *q, const void *owner,
			    struct file *file, poll_table *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &q->wait, wait);
	spin_lock_irq(&q->done_lock);
	if (READ_ONCE(q->owner) == owner && !list_empty(&q->done_list))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&q->done_lock);
	return mask;
}

/* A VMA was copied (fork) or split: it maps the buffer too */
static void wiascan_vm_open(struct vm_area_struct *vma)
{
	struct wiascan_buf *buf = vma->vm_private_data;

	atomic_inc(&buf->mapcount);
	kref_get(&buf->ring->kref);
}

static void wiascan_vm_close(struct vm_area_struct *vma)
{
	struct wiascan_buf *buf = vma->vm_private_data;

	atomic_dec(&buf->mapcount);
	wiascan_ring_put(buf->ring);
}

static const struct vm_operations_struct wiascan_vm_ops = {
	.open = wiascan_vm_open,
	.close = wiascan_vm_close,
};

/*
 * Map one whole buffer read-only.  A writable mapping is refused with
 * -EPERM (and VM_MAYWRITE cleared so mprotect() cannot add it later):
 * the device writes these pages, user space only reads them.
 */
int wiascan_queue_mmap(struct wiascan_queue *q, const void *owner,
		       struct vm_area_struct *vma)
{
	unsigned long length = vma->vm_end - vma->vm_start;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct wiascan_ring *ring;
	struct wiascan_buf *buf;
	u32 rem;
	u64 index;
	int ret;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;

	mutex_lock(&q->lock);
	ret = wiascan_queue_check_owner(q, owner);
	if (ret)
		goto out;
	if (READ_ONCE(q->disconnected)) {
		ret = -ENODEV;
		goto out;
	}
	ring = q->ring;
	index = div_u64_rem(offset, ring->size, &rem);
	if (rem || index >= ring->count || length != ring->size) {
		ret = -EINVAL;
		goto out;
	}
	buf = &ring->bufs[index];

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYWRITE);
	vma->vm_ops = &wiascan_vm_ops;
	vma->vm_private_data = buf;
	ret = vm_map_pages_zero(vma, buf->pages, buf->npages);
	if (ret)
		goto out;	/* the caller unmaps; ->close is not called */
	wiascan_vm_open(vma);
out:
	mutex_unlock(&q->lock);
	return ret;
}
