/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A wiascan device node: the only interface to the driver's ioctl ABI.
 * Nothing outside device.c includes <linux/wiascan.h>; front ends see the
 * plain types below, so a SANE backend or a benchmark can reuse them and a
 * test can stand in for them.
 */
#ifndef WIASCAN_DEVICE_H
#define WIASCAN_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * struct device_caps - QUERYCAP, in host types
 * @abi_version: the driver's ABI version
 * @streaming, @read, @write, @events, @sg, @claim: capability bits
 * @xfer_length, @read_idle: ABI 2 capability bits (a transfer length per
 *	queued buffer; read() while streaming with nothing queued)
 * @speed: USB speed (enum usb_device_speed: 2 full, 3 high, 5 super...)
 * @interface: bInterfaceNumber
 * @vendor_id, @product_id: the device's IDs
 * @bulk_in_ep .. @intr_in_maxpacket: endpoints (0 when absent)
 * @max_buffers, @max_buffer_size, @max_total_bytes: buffer limits
 * @max_ctrl_length: largest control data stage
 * @timeout_ms: the file's current timeout
 */
struct device_caps {
	uint32_t abi_version;
	bool streaming;
	bool read;
	bool write;
	bool events;
	bool sg;
	bool claim;
	bool xfer_length;
	bool read_idle;
	uint32_t speed;
	uint32_t interface;
	uint16_t vendor_id;
	uint16_t product_id;
	uint32_t bulk_in_ep;
	uint32_t bulk_in_maxpacket;
	uint32_t bulk_out_ep;
	uint32_t bulk_out_maxpacket;
	uint32_t intr_in_ep;
	uint32_t intr_in_maxpacket;
	uint32_t max_buffers;
	uint32_t max_buffer_size;
	uint64_t max_total_bytes;
	uint32_t max_ctrl_length;
	uint32_t timeout_ms;
};

/**
 * struct device_view - a dequeued buffer, read in place from the mapping
 * @data: start of the buffer's bytes (read-only mapping)
 * @bytesused: valid bytes at @data
 * @index: buffer number, to queue it again
 * @end_of_page: the device ended a page in this buffer
 * @status: 0, or -errno of a failed transfer (the error flag)
 * @sequence: transfer number since STREAMON
 * @lost: buffers missing before this one (a gap in @sequence)
 * @timestamp_ns: CLOCK_MONOTONIC completion time
 */
struct device_view {
	const uint8_t *data;
	uint32_t bytesused;
	uint32_t index;
	bool end_of_page;
	int status;
	uint64_t sequence;
	uint64_t lost;
	uint64_t timestamp_ns;
};

#define DEVICE_EVENT_MAX 32

/**
 * struct device_event - one interrupt-endpoint packet
 * @data: the bytes as the device sent them
 * @length: valid bytes in @data
 * @lost: events dropped before this one
 * @sequence: event number since probe
 * @timestamp_ns: CLOCK_MONOTONIC arrival time
 */
struct device_event {
	uint8_t data[DEVICE_EVENT_MAX];
	uint32_t length;
	uint32_t lost;
	uint64_t sequence;
	uint64_t timestamp_ns;
};

/* What wias_device_wait() found ready */
#define DEVICE_READY_BUFFER (1U << 0)
#define DEVICE_READY_EVENT  (1U << 1)

struct device_buffer {
	const uint8_t *addr;
	size_t length;
};

/**
 * struct device - an open node
 * @fd: the open file
 * @rdev: its device number (for sysfs)
 * @caps: capabilities read at open
 * @bufs: the mapped ring, @nbufs buffers of @buf_size bytes
 * @streaming: STREAMON done and not undone
 * @next_sequence: sequence the next DQBUF must carry
 * @claimed: this file owns the scanner (CLAIM done, UNCLAIM not yet)
 * @proto_priv: the protocol's own state for this device (freed with it)
 */
struct device {
	int fd;
	dev_t rdev;
	struct device_caps caps;
	struct device_buffer *bufs;
	unsigned int nbufs;
	size_t buf_size;
	bool streaming;
	uint64_t next_sequence;
	bool claimed;
	void *proto_priv;
};

/**
 * struct device_claim_info - what CLAIM said
 * @abandoned: the previous owner died holding the claim: its scan may
 *	still run and its data may still be on the way
 * @owner_pid: on -EBUSY, the owner's process ID (0: not visible here)
 */
struct device_claim_info {
	bool abandoned;
	uint32_t owner_pid;
};

int wias_device_open(const char *path, struct device **out);
void wias_device_close(struct device *dev);
int wias_device_set_timeout(struct device *dev, uint32_t timeout_ms);
int wias_device_alloc_buffers(struct device *dev, unsigned int count,
			      size_t size);
void wias_device_free_buffers(struct device *dev);
int wias_device_qbuf(struct device *dev, unsigned int index);
int wias_device_qbuf_len(struct device *dev, unsigned int index,
			 uint32_t xfer_length);
int wias_device_dqbuf(struct device *dev, struct device_view *view);
int wias_device_streamon(struct device *dev);
int wias_device_streamoff(struct device *dev);
int wias_device_wait(struct device *dev, int timeout_ms, unsigned int *ready);
bool wias_device_gone(struct device *dev, int timeout_ms);
int wias_device_control(struct device *dev, uint8_t request_type,
			uint8_t request, uint16_t value, uint8_t index_high,
			void *data, uint16_t length, uint32_t timeout_ms,
			uint32_t *actual);
int wias_device_wait_event(struct device *dev, uint32_t timeout_ms,
			   bool nonblock, struct device_event *ev);
int wias_device_clear_halt(struct device *dev, uint32_t endpoint);
int wias_device_claim(struct device *dev, struct device_claim_info *info);
int wias_device_unclaim(struct device *dev);
int wias_device_read(struct device *dev, void *buf, size_t len);
int wias_device_write(struct device *dev, const void *buf, size_t len);

#endif /* WIASCAN_DEVICE_H */
