/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * wiascan: USB document scanner transfer interface
 *
 * The driver owns a scanner's bulk-in endpoint and a ring of buffers made
 * of whole pages.  User space maps the buffers read-only, queues them,
 * starts streaming and dequeues them as the device fills them, so image
 * data is never copied between kernel and user space.  Control transfers,
 * interrupt-endpoint events and halt recovery are ioctls; write() sends on
 * the bulk-out endpoint and read() copies from bulk-in for simple clients.
 *
 * Every structure uses only fixed-width, naturally aligned fields and has
 * the same layout for 32-bit and 64-bit user space, so the driver uses
 * compat_ptr_ioctl().  Reserved fields must be zero on input and are zeroed
 * on output; unknown flags are rejected with -EINVAL.
 *
 * mmap() maps one whole buffer: offset and length exactly as QUERYBUF gives
 * them (else -EINVAL), read-only (a writable mapping fails with -EPERM and
 * mprotect() cannot add write access), by the file that owns the queue
 * (else -EBUSY).  A mapping stays valid after the device is unplugged, until
 * munmap().
 *
 * read() waits (up to the file's timeout) for one bulk-in transfer of at
 * most 256 KiB and returns what arrived: less than asked at a short packet,
 * 0 at a zero-length packet.  @count is rounded down to a multiple of the
 * endpoint's wMaxPacketSize (-EINVAL if smaller) so that no packet is cut.
 * The bulk-in endpoint has one consumer at a time: read() fails with
 * -EBUSY while the ring has a buffer in flight (queued while streaming),
 * and STREAMON, and QBUF while streaming, fail with -EBUSY while a read()
 * is in progress.  Since ABI version 2 (%WIASCAN_CAP_READ_IDLE) read()
 * works while the ring streams with no buffer queued, so a protocol can
 * take a command's status block or a short data phase with read() and
 * its image data zero-copy in the ring, without STREAMOFF in between; in
 * version 1 read() failed with -EBUSY whenever the ring streamed.
 * write() sends at most
 * 256 KiB per call on bulk-out (-EINVAL if there is none).  Both return
 * -ETIMEDOUT when nothing moved within the timeout, and -ENODEV once the
 * device is unplugged.  With O_NONBLOCK they give the device about a
 * millisecond and return -EAGAIN when nothing moved.
 */
#ifndef _UAPI_LINUX_WIASCAN_H
#define _UAPI_LINUX_WIASCAN_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * WIASCAN_ABI_VERSION - version reported in &wiascan_caps.abi_version
 *
 * 1: the first release (with %WIASCAN_CAP_CLAIM).  2: additive,
 * %WIASCAN_CAP_XFER_LENGTH (&wiascan_buffer.xfer_length) and
 * %WIASCAN_CAP_READ_IDLE; every version 1 call means what it meant.
 */
#define WIASCAN_ABI_VERSION		2

/* Capability bits, &wiascan_caps.caps */
/** WIASCAN_CAP_STREAMING - mmap'd buffer ring (REQBUFS .. DQBUF) */
#define WIASCAN_CAP_STREAMING		(1U << 0)
/** WIASCAN_CAP_READ - read() copies from the bulk-in endpoint */
#define WIASCAN_CAP_READ		(1U << 1)
/** WIASCAN_CAP_WRITE - the interface has a bulk-out endpoint for write() */
#define WIASCAN_CAP_WRITE		(1U << 2)
/** WIASCAN_CAP_EVENTS - the interface has an interrupt-in endpoint */
#define WIASCAN_CAP_EVENTS		(1U << 3)
/** WIASCAN_CAP_SG - each buffer is one scatter-gather URB */
#define WIASCAN_CAP_SG			(1U << 4)
/** WIASCAN_CAP_CLAIM - one file at a time owns the scanner, %WIASCAN_IOC_CLAIM */
#define WIASCAN_CAP_CLAIM		(1U << 5)
/**
 * WIASCAN_CAP_XFER_LENGTH - QBUF takes &wiascan_buffer.xfer_length, the
 * bytes to ask the device for in that buffer's transfer (ABI version 2)
 */
#define WIASCAN_CAP_XFER_LENGTH		(1U << 6)
/**
 * WIASCAN_CAP_READ_IDLE - read() works while the ring streams, as long as
 * no buffer is queued to the device (ABI version 2)
 */
#define WIASCAN_CAP_READ_IDLE		(1U << 7)

/**
 * struct wiascan_caps - what the device and the driver offer
 * @abi_version: %WIASCAN_ABI_VERSION of the running driver
 * @caps: %WIASCAN_CAP_* bits
 * @speed: bus speed, a value of enum usb_device_speed (2 full, 3 high, 5 super)
 * @interface: bInterfaceNumber of the bound interface
 * @vendor_id: idVendor of the device
 * @product_id: idProduct of the device
 * @bulk_in_ep: bulk-in endpoint address (with the direction bit)
 * @bulk_in_maxpacket: wMaxPacketSize of @bulk_in_ep
 * @bulk_out_ep: bulk-out endpoint address, 0 if none
 * @bulk_out_maxpacket: wMaxPacketSize of @bulk_out_ep, 0 if none
 * @intr_in_ep: interrupt-in endpoint address, 0 if none
 * @intr_in_maxpacket: wMaxPacketSize of @intr_in_ep, 0 if none
 * @max_buffers: most buffers one REQBUFS may grant
 * @max_buffer_size: largest buffer size in bytes
 * @max_ctrl_length: largest data stage of %WIASCAN_IOC_CONTROL
 * @timeout_ms: this file's current timeout, see %WIASCAN_IOC_SET_TIMEOUT
 * @max_total_bytes: cap on all buffer memory of this device: the smaller of
 *	the module parameters max_buffer_mb (per device) and max_total_mb
 *	(all wiascan devices together, rings still mapped included)
 * @reserved: zero
 */
struct wiascan_caps {
	__u32 abi_version;
	__u32 caps;
	__u32 speed;
	__u32 interface;
	__u32 vendor_id;
	__u32 product_id;
	__u32 bulk_in_ep;
	__u32 bulk_in_maxpacket;
	__u32 bulk_out_ep;
	__u32 bulk_out_maxpacket;
	__u32 intr_in_ep;
	__u32 intr_in_maxpacket;
	__u32 max_buffers;
	__u32 max_buffer_size;
	__u32 max_ctrl_length;
	__u32 timeout_ms;
	__u64 max_total_bytes;
	__u32 reserved[6];
};

/**
 * struct wiascan_reqbufs - allocate or free the buffer ring
 * @count: in: buffers wanted, 0 frees the ring; out: buffers granted
 * @size: in: bytes per buffer, rounded up to whole pages; out: actual size
 * @flags: must be zero
 * @reserved: must be zero
 *
 * The first file that allocates a ring owns the queue until it frees the
 * ring or is closed; other files get -EBUSY for queue operations.  Freeing
 * stops streaming; it fails with -EBUSY while any buffer is still mapped.
 * A @count above &wiascan_caps.max_buffers, a @size of 0 or above
 * &wiascan_caps.max_buffer_size give -EINVAL; more than
 * &wiascan_caps.max_total_bytes in all gives -ENOMEM, and so does a ring
 * that would take the buffers of all devices past max_total_mb.
 */
struct wiascan_reqbufs {
	__u32 count;
	__u32 size;
	__u32 flags;
	__u32 reserved[5];
};

/* Buffer flags, &wiascan_buffer.flags (set by the driver) */
/** WIASCAN_BUF_FLAG_MAPPED - the buffer is mapped into some process */
#define WIASCAN_BUF_FLAG_MAPPED		(1U << 0)
/** WIASCAN_BUF_FLAG_QUEUED - the buffer is queued to the driver */
#define WIASCAN_BUF_FLAG_QUEUED		(1U << 1)
/** WIASCAN_BUF_FLAG_DONE - the buffer is filled and waiting to be dequeued */
#define WIASCAN_BUF_FLAG_DONE		(1U << 2)
/**
 * WIASCAN_BUF_FLAG_END_OF_PAGE - the device ended the page (short or
 * zero-length packet) in this buffer; @bytesused may be 0
 */
#define WIASCAN_BUF_FLAG_END_OF_PAGE	(1U << 3)
/** WIASCAN_BUF_FLAG_ERROR - the transfer failed, see &wiascan_buffer.status */
#define WIASCAN_BUF_FLAG_ERROR		(1U << 4)

/**
 * struct wiascan_buffer - one buffer of the ring (QUERYBUF, QBUF, DQBUF)
 * @index: buffer number, 0 .. count - 1 (in for QUERYBUF and QBUF, out for DQBUF)
 * @flags: %WIASCAN_BUF_FLAG_* (out); must be zero on QBUF
 * @length: size of the buffer in bytes (out)
 * @bytesused: bytes of image data in the buffer (out, DQBUF)
 * @offset: offset to pass to mmap() for this buffer (out)
 * @sequence: number of the transfer, counting from 0 at STREAMON; a gap
 *	means buffers were lost (out, DQBUF)
 * @timestamp_ns: CLOCK_MONOTONIC time the transfer completed (out, DQBUF)
 * @status: 0, or the positive errno of a failed transfer: EPIPE for a
 *	stall, EOVERFLOW for babble, EPROTO/EILSEQ for bus errors,
 *	ENODEV when unplugged (out, DQBUF)
 * @xfer_length: in on QBUF (%WIASCAN_CAP_XFER_LENGTH, ABI version 2):
 *	bytes to ask the device for in this buffer's transfer, 0 for the
 *	whole buffer (@length); it must be at most @length and a multiple
 *	of &wiascan_caps.bulk_in_maxpacket, else QBUF fails with -EINVAL.
 *	The transfer ends after @xfer_length bytes or at a short packet
 *	(then %WIASCAN_BUF_FLAG_END_OF_PAGE), and the next queued buffer
 *	continues the device's data where it ended.  Out on QUERYBUF and
 *	DQBUF: the value of the last QBUF (0 after STREAMOFF); ignored on
 *	their input.  Was reserved[0] (zero) in version 1, so a version 1
 *	client asks for whole buffers as before.
 * @reserved: must be zero on input
 */
struct wiascan_buffer {
	__u32 index;
	__u32 flags;
	__u32 length;
	__u32 bytesused;
	__u64 offset;
	__u64 sequence;
	__u64 timestamp_ns;
	__u32 status;
	__u32 xfer_length;
	__u32 reserved[4];
};

/* Request type bits checked by WIASCAN_IOC_CONTROL (USB 2.0, 9.3.1) */
#define WIASCAN_CTRL_DIR_IN		0x80
#define WIASCAN_CTRL_TYPE_MASK		0x60
#define WIASCAN_CTRL_TYPE_CLASS		0x20
#define WIASCAN_CTRL_TYPE_VENDOR	0x40
#define WIASCAN_CTRL_RECIP_MASK		0x1f
#define WIASCAN_CTRL_RECIP_INTERFACE	0x01

/** WIASCAN_CTRL_MAX_LENGTH - largest data stage of one control transfer */
#define WIASCAN_CTRL_MAX_LENGTH		4096

/** WIASCAN_TIMEOUT_MAX_MS - longest timeout any ioctl accepts (10 minutes) */
#define WIASCAN_TIMEOUT_MAX_MS		600000

/**
 * struct wiascan_ctrl - a class or vendor control transfer to this interface
 * @request_type: bmRequestType; the type must be class or vendor and the
 *	recipient the interface; bit 7 gives the direction of the data stage
 * @request: bRequest, 0 .. 255
 * @value: wValue, 0 .. 65535
 * @index: high byte of wIndex; the low byte must be zero and the driver puts
 *	the bound interface number there
 * @length: bytes in the data stage, 0 .. %WIASCAN_CTRL_MAX_LENGTH
 * @timeout_ms: timeout for this transfer, 0 for the file's timeout, at most
 *	%WIASCAN_TIMEOUT_MAX_MS
 * @data: user pointer to @length bytes (read for OUT, written for IN)
 * @actual: bytes actually transferred (out)
 * @reserved: must be zero
 */
struct wiascan_ctrl {
	__u32 request_type;
	__u32 request;
	__u32 value;
	__u32 index;
	__u32 length;
	__u32 timeout_ms;
	__u64 data;
	__u32 actual;
	__u32 reserved[5];
};

/** WIASCAN_EVENT_MAX_LENGTH - bytes of one interrupt packet kept per event */
#define WIASCAN_EVENT_MAX_LENGTH	32

/** WIASCAN_EVENT_NONBLOCK - return -EAGAIN at once when no event is pending */
#define WIASCAN_EVENT_NONBLOCK		(1U << 0)

/**
 * struct wiascan_event - one packet from the interrupt-in endpoint
 * @timeout_ms: in: how long to wait, 0 for the file's timeout, at most
 *	%WIASCAN_TIMEOUT_MAX_MS
 * @flags: in: %WIASCAN_EVENT_NONBLOCK or zero
 * @sequence: out: number of the event, counting from 0 at probe
 * @timestamp_ns: out: CLOCK_MONOTONIC time the packet arrived
 * @length: out: bytes of @data that are valid
 * @lost: out: events dropped since the last one returned, because
 *	nobody read them in time
 * @data: out: the packet's bytes as the device sent them
 * @reserved: must be zero
 *
 * Events are queued per device from probe on; each is returned once.
 */
struct wiascan_event {
	__u32 timeout_ms;
	__u32 flags;
	__u64 sequence;
	__u64 timestamp_ns;
	__u32 length;
	__u32 lost;
	__u32 data[WIASCAN_EVENT_MAX_LENGTH / 4];
	__u32 reserved[4];
};

/**
 * struct wiascan_timeout - per-file timeout
 * @timeout_ms: timeout for DQBUF, read(), write(), control transfers and
 *	event waits of this file, 1 .. %WIASCAN_TIMEOUT_MAX_MS; default 30000
 *	(scanners stall for tens of seconds while they warm up)
 * @reserved: must be zero
 */
struct wiascan_timeout {
	__u32 timeout_ms;
	__u32 reserved[3];
};

/**
 * struct wiascan_clear_halt - clear a halted (stalled) endpoint
 * @endpoint: endpoint address (with direction bit) of one of this
 *	interface's endpoints
 * @reserved: must be zero
 */
struct wiascan_clear_halt {
	__u32 endpoint;
	__u32 reserved[3];
};

/*
 * WIASCAN_CLAIM_FLAG_ABANDONED - out: the previous owner's file was closed
 * while it still held the claim (the process exited or was killed without
 * %WIASCAN_IOC_UNCLAIM), so the scanner may still be busy with its scan and
 * the endpoints may hold its data: the new owner should cancel and drain
 */
#define WIASCAN_CLAIM_FLAG_ABANDONED	(1U << 0)

/**
 * struct wiascan_claim - exclusive ownership of the scanner
 * @flags: in: must be zero; out: %WIASCAN_CLAIM_FLAG_* about the claim taken
 * @owner_pid: out: on -EBUSY, the process ID (in the caller's PID
 *	namespace, 0 if not visible there) of the process whose file owns
 *	the scanner; on success, the caller's own
 * @reserved: must be zero
 *
 * One open file at a time owns a scanner.  Everything that can change the
 * scanner's state or take its data needs the claim: a host-to-device
 * (OUT) control transfer or one without a data stage, write(), read(),
 * REQBUFS, QBUF, STREAMON, WAIT_EVENT and CLEAR_HALT.  A file that does one of these without the
 * claim takes it implicitly if nobody holds it, so clients written before
 * the claim existed keep working; if another file holds it they fail with
 * -EBUSY and nothing reaches the device.  Device-to-host (IN) control
 * transfers with a data stage, QUERYCAP, QUERYBUF and SET_TIMEOUT stay
 * open to every file (DQBUF and STREAMOFF belong to the queue's owner):
 * they are the queries (a scanner's status, its capabilities) that must
 * work while another client scans, so a protocol's IN requests must not
 * change the scanner's state.
 *
 * The claim belongs to the open file: descriptors shared by dup() or
 * fork() share it.  It ends at %WIASCAN_IOC_UNCLAIM or when the owning
 * file is released (its last descriptor closed, including at process
 * exit); it is never passed on by itself.  After an unplug, CLAIM fails
 * with -ENODEV.
 */
struct wiascan_claim {
	__u32 flags;
	__u32 owner_pid;
	__u32 reserved[6];
};

#define WIASCAN_IOC_MAGIC	0xB8

/** WIASCAN_IOC_QUERYCAP - fill &struct wiascan_caps */
#define WIASCAN_IOC_QUERYCAP	_IOR(WIASCAN_IOC_MAGIC, 0x00, struct wiascan_caps)
/** WIASCAN_IOC_REQBUFS - allocate (or free, count 0) the buffer ring */
#define WIASCAN_IOC_REQBUFS	_IOWR(WIASCAN_IOC_MAGIC, 0x01, struct wiascan_reqbufs)
/** WIASCAN_IOC_QUERYBUF - get a buffer's mmap offset, length and state */
#define WIASCAN_IOC_QUERYBUF	_IOWR(WIASCAN_IOC_MAGIC, 0x02, struct wiascan_buffer)
/**
 * WIASCAN_IOC_QBUF - give an empty buffer to the driver, to fill its first
 * &wiascan_buffer.xfer_length bytes (all of it when 0); -EBUSY while
 * streaming and a read() is in progress
 */
#define WIASCAN_IOC_QBUF	_IOWR(WIASCAN_IOC_MAGIC, 0x03, struct wiascan_buffer)
/**
 * WIASCAN_IOC_DQBUF - take the oldest filled buffer; blocks up to the file's
 * timeout (-ETIMEDOUT), or -EAGAIN with O_NONBLOCK; -ENODEV once unplugged
 * (after the buffers filled before the unplug); -EINVAL when not streaming
 * and nothing is done
 */
#define WIASCAN_IOC_DQBUF	_IOWR(WIASCAN_IOC_MAGIC, 0x04, struct wiascan_buffer)
/** WIASCAN_IOC_STREAMON - submit every queued buffer and keep doing so */
#define WIASCAN_IOC_STREAMON	_IO(WIASCAN_IOC_MAGIC, 0x05)
/**
 * WIASCAN_IOC_STREAMOFF - kill the URBs in flight and return every buffer
 * to the dequeued state; data in flight is discarded
 */
#define WIASCAN_IOC_STREAMOFF	_IO(WIASCAN_IOC_MAGIC, 0x06)
/**
 * WIASCAN_IOC_CONTROL - class or vendor control transfer, &struct wiascan_ctrl;
 * a stall gives -EPIPE, no answer within the timeout -ETIMEDOUT
 */
#define WIASCAN_IOC_CONTROL	_IOWR(WIASCAN_IOC_MAGIC, 0x07, struct wiascan_ctrl)
/**
 * WIASCAN_IOC_WAIT_EVENT - wait for an interrupt-endpoint packet;
 * -ETIMEDOUT, -EAGAIN with %WIASCAN_EVENT_NONBLOCK, -ENODEV once unplugged
 * (after the events received before), -EOPNOTSUPP without an interrupt-in
 * endpoint
 */
#define WIASCAN_IOC_WAIT_EVENT	_IOWR(WIASCAN_IOC_MAGIC, 0x08, struct wiascan_event)
/** WIASCAN_IOC_SET_TIMEOUT - set this file's timeout */
#define WIASCAN_IOC_SET_TIMEOUT	_IOW(WIASCAN_IOC_MAGIC, 0x09, struct wiascan_timeout)
/**
 * WIASCAN_IOC_CLEAR_HALT - clear a stalled endpoint of this interface;
 * -EINVAL for another endpoint, -EBUSY for bulk-in while the ring has a
 * buffer in flight or while a read() is in progress
 */
#define WIASCAN_IOC_CLEAR_HALT	_IOW(WIASCAN_IOC_MAGIC, 0x0a, struct wiascan_clear_halt)
/**
 * WIASCAN_IOC_CLAIM - make this file the scanner's owner, &struct
 * wiascan_claim; 0 if it already is; -EBUSY (with @owner_pid) while another
 * file owns it; -ENODEV once unplugged
 */
#define WIASCAN_IOC_CLAIM	_IOWR(WIASCAN_IOC_MAGIC, 0x0b, struct wiascan_claim)
/**
 * WIASCAN_IOC_UNCLAIM - give the claim up; -EBUSY while this file still
 * has a ring (free it first with REQBUFS count 0), -EPERM if this file does
 * not own the scanner
 */
#define WIASCAN_IOC_UNCLAIM	_IO(WIASCAN_IOC_MAGIC, 0x0c)

#endif /* _UAPI_LINUX_WIASCAN_H */
