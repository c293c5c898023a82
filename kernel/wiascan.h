/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wiascan: USB document scanner driver, internal definitions
 *
 * The driver is split by concern, the way videobuf2 is split from the
 * drivers that feed it:
 *
 *  core.c      probe/disconnect, device lifetime, file operations, ioctls
 *  claim.c     the exclusive claim: which open file owns the scanner
 *  queue.c     the buffer ring: pages, states, mmap, the wait for done
 *              buffers; knows nothing about URBs
 *  transport.c URBs on the bulk endpoints: the streaming URBs behind the
 *              ring (through &struct wiascan_queue_ops), read(), write()
 *              and control transfers; knows nothing about mmap
 *  event.c     the interrupt-in URB and the event fifo
 *
 * Lock order: &wiascan_owner.lock, then &wiascan_queue.lock, then
 * &wiascan_dev.io_mutex, then the spinlocks (&wiascan_queue.done_lock,
 * &wiascan_events.lock).  &wiascan_owner.lock and &wiascan_queue.lock are
 * never held while user memory is copied or while waiting for a transfer
 * (mmap() runs under mmap_lock and takes &wiascan_queue.lock); neither is
 * &wiascan_dev.io_mutex, which covers only the check of
 * &wiascan_dev.disconnected and the submission of a URB.
 * &wiascan_dev.read_mutex and &wiascan_dev.write_mutex only order read()
 * and write() callers; they are outermost and never taken under mmap_lock.
 *
 * Unplug: disconnect() sets &wiascan_dev.disconnected first (under
 * io_mutex: no URB is submitted after it), then each part stops its own
 * URBs and wakes its own waiters, under its own lock and flag: the event
 * fifo (&wiascan_events.disconnected), the synchronous and streaming URBs,
 * the queue (&wiascan_queue.disconnected).  Each part's flag is what its
 * waiters test, so a waiter never sees its part "gone" while its URBs
 * still run.
 */
#ifndef WIASCAN_INTERNAL_H
#define WIASCAN_INTERNAL_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/usb.h>
#include <linux/wait.h>
#include <linux/wiascan.h>

/*
 * The reference scanner's identity; the same values as REFSCAN_VENDOR_ID,
 * REFSCAN_PRODUCT_ID and REFSCAN_IF_* in helper/lib/refscan.h, which is a
 * user-space header and so cannot be included here.
 */
#define WIASCAN_REF_VENDOR_ID		0x1209	/* pid.codes */
#define WIASCAN_REF_PRODUCT_ID		0x0001	/* pid.codes test PID */
#define WIASCAN_REF_IF_CLASS		0xff	/* vendor specific */
#define WIASCAN_REF_IF_SUBCLASS		0x57	/* 'W' */
#define WIASCAN_REF_IF_PROTOCOL		0x01

/* Limits reported in &wiascan_caps */
#define WIASCAN_MAX_BUFFERS		32
#define WIASCAN_MAX_BUFFER_SIZE		SZ_4M
/* Without scatter-gather a buffer is one physically contiguous block */
#define WIASCAN_MAX_CONTIG_SIZE		SZ_1M
#define WIASCAN_DEFAULT_TIMEOUT_MS	30000
/* Largest bounce buffer of one read() or write() call */
#define WIASCAN_RW_MAX			SZ_256K
/* How long an O_NONBLOCK read() or write() waits for the device */
#define WIASCAN_NONBLOCK_MS		1
/* Interrupt-in packets kept until WAIT_EVENT takes them */
#define WIASCAN_EVENT_FIFO		64

struct wiascan_queue;
struct wiascan_buf;

/**
 * enum wiascan_buf_state - where a buffer of the ring is
 * @WIASCAN_BUF_DEQUEUED: owned by user space
 * @WIASCAN_BUF_QUEUED: given to the driver; in flight while streaming
 * @WIASCAN_BUF_DONE: filled (or failed), on &wiascan_queue.done_list
 */
enum wiascan_buf_state {
	WIASCAN_BUF_DEQUEUED,
	WIASCAN_BUF_QUEUED,
	WIASCAN_BUF_DONE,
};

/**
 * struct wiascan_buf - one buffer of the ring
 * @ring: the ring this buffer belongs to
 * @index: position in the ring, the index user space passes
 * @pages: @npages order-0 pages; physically contiguous when the ring is
 *	contiguous (one split higher-order block)
 * @npages: pages in @pages, the buffer length in pages
 * @offset: mmap() offset of this buffer
 * @state: &enum wiascan_buf_state, under &wiascan_queue.done_lock
 * @list: link in &wiascan_queue.queued_list or &wiascan_queue.done_list,
 *	under &wiascan_queue.done_lock
 * @mapcount: number of VMAs mapping this buffer
 * @flags: END_OF_PAGE and ERROR bits of the last transfer
 * @xfer_length: bytes the transfer asks for, from QBUF; 0 for the whole
 *	buffer.  Written under &wiascan_queue.lock and
 *	&wiascan_queue.done_lock while the buffer is not in flight; the
 *	transport reads it under &wiascan_queue.lock when it submits
 * @bytesused: bytes the last transfer filled
 * @status: positive errno of the last transfer, 0 if it succeeded
 * @sequence: number of the last transfer since STREAMON
 * @timestamp_ns: CLOCK_MONOTONIC time the last transfer completed
 * @priv: the transport's per-buffer state (its URB)
 */
struct wiascan_buf {
	struct wiascan_ring *ring;
	unsigned int index;
	struct page **pages;
	unsigned int npages;
	u64 offset;
	enum wiascan_buf_state state;
	struct list_head list;
	atomic_t mapcount;
	u32 flags;
	u32 xfer_length;
	u32 bytesused;
	u32 status;
	u64 sequence;
	u64 timestamp_ns;
	void *priv;
};

/**
 * struct wiascan_ring - the set of buffers granted by one REQBUFS
 * @kref: held by the queue while the ring is current and by every VMA
 *	mapping one of its buffers, so mapped pages outlive the owner's
 *	close and the device (REQBUFS(0) itself fails with -EBUSY while a
 *	buffer is mapped)
 * @queue: the queue that allocated the ring (its ops free the buffers)
 * @count: number of buffers
 * @size: bytes per buffer, a multiple of PAGE_SIZE
 * @charged: bytes counted against the system-wide cap until the release
 * @bufs: the buffers
 */
struct wiascan_ring {
	struct kref kref;
	struct wiascan_queue *queue;
	unsigned int count;
	unsigned int size;
	u64 charged;
	struct wiascan_buf bufs[];
};

/**
 * struct wiascan_queue_ops - what the queue asks of the transport
 * @buf_init: prepare the transfer of one new buffer (allocate its URB)
 * @buf_cleanup: undo @buf_init
 * @buf_queue: start the transfer into @buf now; called while streaming
 * @start_streaming: called at STREAMON before the queued buffers are given
 *	to @buf_queue
 * @stop_streaming: cancel every transfer; on return no buffer is in flight
 *	and wiascan_queue_buf_done() will not be called again
 *
 * Like &struct vb2_ops: the queue owns the buffer life cycle and calls
 * these; the transport reports each finished buffer with
 * wiascan_queue_buf_done() or wiascan_queue_buf_cancelled().
 */
struct wiascan_queue_ops {
	int (*buf_init)(struct wiascan_queue *q, struct wiascan_buf *buf);
	void (*buf_cleanup)(struct wiascan_queue *q, struct wiascan_buf *buf);
	int (*buf_queue)(struct wiascan_queue *q, struct wiascan_buf *buf);
	int (*start_streaming)(struct wiascan_queue *q);
	void (*stop_streaming)(struct wiascan_queue *q);
};

/**
 * struct wiascan_queue - the buffer ring and its state machine
 * @ops: the transport behind the queue
 * @contiguous: allocate each buffer physically contiguous (no sg support)
 * @max_buffer_size: largest buffer REQBUFS grants
 * @xfer_align: a buffer's transfer length must be a multiple of this
 *	(bulk-in wMaxPacketSize, so that no packet is cut)
 * @lock: serialises REQBUFS, QBUF, DQBUF, STREAMON, STREAMOFF, mmap and
 *	owner changes; protects @ring, @owner, @streaming and
 *	@bulk_in_users (@owner and @streaming are also read without it by
 *	wait conditions and poll())
 * @ring: the current ring, or NULL; holds one reference on it
 * @owner: the file that owns the queue (allocated @ring), or NULL
 * @streaming: between STREAMON and STREAMOFF
 * @bulk_in_users: read() calls and bulk-in CLEAR_HALTs in progress: the
 *	other users of the bulk-in endpoint.  STREAMON, and QBUF while
 *	@streaming, fail with -EBUSY while it is not zero, and they fail
 *	with -EBUSY while @streaming with a buffer in flight (state
 *	%WIASCAN_BUF_QUEUED), so the endpoint has one consumer at a time
 * @bulk_in_exclusive: a CLEAR_HALT of bulk-in is in progress (it resets
 *	the data toggle, so no read() may have a URB in flight meanwhile)
 * @done_lock: taken in URB completion; protects every buffer's @state,
 *	@list and transfer results, @queued_list, @done_list, @sequence and
 *	@disconnected
 * @queued_list: buffers queued before STREAMON, not yet given to the
 *	transport
 * @done_list: filled buffers, oldest first
 * @sequence: number of the next completed transfer
 * @disconnected: the device is gone; waiters return -ENODEV
 * @wait: DQBUF and poll() wait here for @done_list or a state change
 */
struct wiascan_queue {
	const struct wiascan_queue_ops *ops;
	bool contiguous;
	unsigned int max_buffer_size;
	unsigned int xfer_align;

	struct mutex lock;		/* ring, owner, streaming */
	struct wiascan_ring *ring;
	const void *owner;
	bool streaming;
	unsigned int bulk_in_users;
	bool bulk_in_exclusive;

	spinlock_t done_lock;		/* buffer states, lists */
	struct list_head queued_list;
	struct list_head done_list;
	u64 sequence;
	bool disconnected;

	wait_queue_head_t wait;
};

/**
 * struct wiascan_event_slot - one interrupt-in packet in the event fifo
 * @sequence: number of the packet since probe
 * @timestamp_ns: CLOCK_MONOTONIC time the packet arrived
 * @length: bytes of @data that are valid
 * @data: the packet, cut to %WIASCAN_EVENT_MAX_LENGTH bytes
 */
struct wiascan_event_slot {
	u64 sequence;
	u64 timestamp_ns;
	u32 length;
	u8 data[WIASCAN_EVENT_MAX_LENGTH];
};

/**
 * struct wiascan_events - the interrupt-in URB and the event fifo (event.c)
 * @urb: the interrupt-in URB, resubmitted by its completion; NULL when the
 *	interface has no interrupt-in endpoint
 * @buf: its transfer buffer, the endpoint's wMaxPacketSize bytes
 * @lock: taken in URB completion; protects every field below
 * @running: @urb is submitted (it stops on a stall)
 * @disconnected: the device is gone; WAIT_EVENT returns -ENODEV once the
 *	fifo is empty
 * @slots: the fifo, a ring of %WIASCAN_EVENT_FIFO packets
 * @head: index of the oldest event in @slots
 * @count: events in @slots
 * @seq: sequence number of the next packet
 * @lost: events dropped (fifo full) since the last WAIT_EVENT
 * @wait: WAIT_EVENT and poll() wait here for an event or the unplug
 */
struct wiascan_events {
	struct urb *urb;
	u8 *buf;

	spinlock_t lock;		/* the fifo, running, disconnected */
	bool running;
	bool disconnected;
	struct wiascan_event_slot slots[WIASCAN_EVENT_FIFO];
	unsigned int head;
	unsigned int count;
	u64 seq;
	u32 lost;

	wait_queue_head_t wait;
};

/**
 * struct wiascan_owner - the exclusive claim on the scanner (claim.c)
 * @lock: protects every field below; outermost of the driver's locks
 *	(REQBUFS holds it across the allocation of the ring, so that a ring
 *	is only ever allocated by the file that owns the claim)
 * @file: the open file that owns the scanner (a &struct wiascan_file),
 *	or NULL
 * @pid: the thread group of the process that took the claim (a reference
 *	is held), or NULL
 * @abandoned: the last owner's file was released while it held the claim;
 *	cleared by UNCLAIM
 */
struct wiascan_owner {
	struct mutex lock;		/* file, pid, abandoned */
	const void *file;
	struct pid *pid;
	bool abandoned;
};

/**
 * struct wiascan_dev - one bound interface
 * @kref: lifetime; held by the probe/disconnect pair and by every open file
 * @udev: the USB device (a reference is held)
 * @intf: the bound interface (a reference is held)
 * @bulk_in: bulk-in endpoint (image data); always present
 * @bulk_out: bulk-out endpoint (commands, write()), or NULL
 * @intr_in: interrupt-in endpoint (events), or NULL
 * @use_sg: the host controller takes scatter-gather URBs, so every buffer
 *	is one sg URB over order-0 pages
 * @io_mutex: protects @disconnected and so serialises every URB
 *	submission against disconnect; never held while waiting for a
 *	transfer
 * @disconnected: set first in disconnect; nothing is submitted after it
 * @stream_anchor: the streaming URBs in flight
 * @sync_anchor: the URBs of read(), write(), control transfers and
 *	CLEAR_HALT
 * @read_mutex: one read() at a time, so bulk-in data arrives in order
 * @write_mutex: one write() at a time, so bulk-out data leaves in order
 * @owner: the exclusive claim
 * @queue: the buffer ring
 * @events: the interrupt-in events
 */
struct wiascan_dev {
	struct kref kref;
	struct usb_device *udev;
	struct usb_interface *intf;
	struct usb_endpoint_descriptor *bulk_in;
	struct usb_endpoint_descriptor *bulk_out;
	struct usb_endpoint_descriptor *intr_in;
	bool use_sg;

	struct mutex io_mutex;		/* disconnected, submission */
	bool disconnected;
	struct usb_anchor stream_anchor;
	struct usb_anchor sync_anchor;
	struct mutex read_mutex;	/* one read() at a time */
	struct mutex write_mutex;	/* one write() at a time */

	struct wiascan_owner owner;
	struct wiascan_queue queue;
	struct wiascan_events events;
};

static inline struct wiascan_dev *wiascan_queue_to_dev(struct wiascan_queue *q)
{
	return container_of(q, struct wiascan_dev, queue);
}

/* queue.c */
void wiascan_queue_init(struct wiascan_queue *q,
			const struct wiascan_queue_ops *ops, bool contiguous,
			unsigned int xfer_align);
int wiascan_queue_reqbufs_check(struct wiascan_queue *q,
				const struct wiascan_reqbufs *req);
int wiascan_queue_reqbufs(struct wiascan_queue *q, const void *owner,
			  struct wiascan_reqbufs *req, u64 max_total,
			  u64 max_system);
int wiascan_queue_querybuf(struct wiascan_queue *q, struct wiascan_buffer *b);
int wiascan_queue_qbuf(struct wiascan_queue *q, const void *owner,
		       struct wiascan_buffer *b);
int wiascan_queue_dqbuf(struct wiascan_queue *q, const void *owner,
			struct wiascan_buffer *b, bool nonblock,
			unsigned long timeout);
int wiascan_queue_streamon(struct wiascan_queue *q, const void *owner);
int wiascan_queue_streamoff(struct wiascan_queue *q, const void *owner);
int wiascan_queue_mmap(struct wiascan_queue *q, const void *owner,
		       struct vm_area_struct *vma);
__poll_t wiascan_queue_poll(struct wiascan_queue *q, const void *owner,
			    struct file *file, poll_table *wait);
bool wiascan_queue_has_ring(struct wiascan_queue *q, const void *owner);
int wiascan_queue_bulk_in_get(struct wiascan_queue *q, bool exclusive);
void wiascan_queue_bulk_in_put(struct wiascan_queue *q);
void wiascan_queue_release(struct wiascan_queue *q, const void *owner);
void wiascan_queue_disconnect(struct wiascan_queue *q);
void wiascan_queue_buf_done(struct wiascan_buf *buf, unsigned int bytes,
			    int status, bool end_of_page);
void wiascan_queue_buf_cancelled(struct wiascan_buf *buf);

/* transport.c */
extern const struct wiascan_queue_ops wiascan_transport_ops;
ssize_t wiascan_transport_read(struct wiascan_dev *dev, char __user *ubuf,
			       size_t count, unsigned int timeout_ms,
			       bool nonblock);
ssize_t wiascan_transport_write(struct wiascan_dev *dev,
				const char __user *ubuf, size_t count,
				unsigned int timeout_ms, bool nonblock);
int wiascan_transport_ctrl_check(const struct wiascan_ctrl *ctrl);
int wiascan_transport_control(struct wiascan_dev *dev,
			      struct wiascan_ctrl *ctrl,
			      unsigned int file_timeout_ms);
int wiascan_transport_clear_halt(struct wiascan_dev *dev, u32 endpoint);
void wiascan_transport_disconnect(struct wiascan_dev *dev);

/* event.c */
int wiascan_event_init(struct wiascan_dev *dev);
void wiascan_event_start(struct wiascan_dev *dev);
void wiascan_event_restart(struct wiascan_dev *dev);
void wiascan_event_disconnect(struct wiascan_dev *dev);
void wiascan_event_free(struct wiascan_dev *dev);
int wiascan_event_check(const struct wiascan_event *ev);
int wiascan_event_wait(struct wiascan_dev *dev, struct wiascan_event *ev,
		       unsigned int file_timeout_ms);
__poll_t wiascan_event_poll(struct wiascan_dev *dev, struct file *file,
			    poll_table *wait);

/* claim.c */
void wiascan_owner_init(struct wiascan_owner *o);
int wiascan_owner_claim(struct wiascan_dev *dev, const void *file,
			struct wiascan_claim *claim);
int wiascan_owner_unclaim(struct wiascan_dev *dev, const void *file);
int wiascan_owner_take_locked(struct wiascan_owner *o, const void *file);
int wiascan_owner_take(struct wiascan_owner *o, const void *file);
void wiascan_owner_release(struct wiascan_owner *o, const void *file);

#endif /* WIASCAN_INTERNAL_H */
