// SPDX-License-Identifier: GPL-2.0
/*
 * capture: scan one flatbed page from the wiascan reference scanner through
 * the mmap'd buffer ring, and write its bytes to a file.  The example of
 * Documentation/userspace-api.rst; the tests build it and check its output
 * byte for byte (tools/testing/docs/vm-example-test).
 *
 *   capture DEVICE WIDTH HEIGHT OUTPUT     (gray, 8 bits a pixel, 100 dpi)
 *
 * Build, from the top of the tree (the directory above Documentation/):
 *   cc -std=c17 -D_GNU_SOURCE -I include/uapi -I helper/lib -o capture Documentation/examples/capture.c
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/wiascan.h>
#include "refscan.h"

#define NBUF	4
#define BUFSIZE (64 * 1024)

static void *map[NBUF];

/* One vendor request to the scanner's interface (the driver fills wIndex). */
static int request(int fd, int rt, int req, void *data, unsigned int len)
{
	struct wiascan_ctrl c = {
		.request_type = rt,
		.request = req,
		.length = len,
		.data = (__u64)(unsigned long)data,
	};

	return ioctl(fd, WIASCAN_IOC_CONTROL, &c) ? -errno : 0;
}

/* Allocate the ring, map every buffer read-only and queue it. */
static int setup_ring(int fd)
{
	struct wiascan_reqbufs rb = { .count = NBUF, .size = BUFSIZE };
	struct wiascan_buffer b;
	unsigned int i;

	if (ioctl(fd, WIASCAN_IOC_REQBUFS, &rb) || rb.count != NBUF)
		return -ENOMEM;
	for (i = 0; i < NBUF; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		if (ioctl(fd, WIASCAN_IOC_QUERYBUF, &b))
			return -errno;
		map[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, fd,
			      b.offset);
		if (map[i] == MAP_FAILED)
			return -errno;
		memset(&b, 0, sizeof(b));
		b.index = i;
		if (ioctl(fd, WIASCAN_IOC_QBUF, &b))
			return -errno;
	}
	return 0;
}

/* Dequeue buffers until the one that ends the page, writing their bytes. */
static int stream_page(int fd, FILE *out)
{
	struct wiascan_buffer b;

	for (;;) {
		memset(&b, 0, sizeof(b));
		if (ioctl(fd, WIASCAN_IOC_DQBUF, &b))
			return -errno;
		if (b.flags & WIASCAN_BUF_FLAG_ERROR)
			return -(int)b.status;
		if (fwrite(map[b.index], 1, b.bytesused, out) != b.bytesused)
			return -EIO;
		if (b.flags & WIASCAN_BUF_FLAG_END_OF_PAGE)
			return 0;
		b.flags = 0;
		if (ioctl(fd, WIASCAN_IOC_QBUF, &b))
			return -errno;
	}
}

static int capture(int fd, unsigned int width, unsigned int height, FILE *out)
{
	struct refscan_params p = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = width,
		.height_px = height,
	};
	struct wiascan_caps caps;
	int ret;

	if (ioctl(fd, WIASCAN_IOC_QUERYCAP, &caps))
		return -errno;
	/* Version 1's ABI is all it uses; later versions only add to it */
	if (caps.abi_version < 1 || !(caps.caps & WIASCAN_CAP_STREAMING))
		return -EOPNOTSUPP;
	/* SET_PARAMS, then GET_PARAMS: it stalls if the device refused them */
	ret = request(fd, REFSCAN_RT_OUT, REFSCAN_REQ_SET_PARAMS, &p,
		      sizeof(p));
	if (!ret)
		ret = request(fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_PARAMS, &p,
			      sizeof(p));
	if (!ret)
		ret = setup_ring(fd);
	/* stream first, then start: no byte can arrive before a buffer waits */
	if (!ret && ioctl(fd, WIASCAN_IOC_STREAMON))
		ret = -errno;
	if (!ret)
		ret = request(fd, REFSCAN_RT_OUT, REFSCAN_REQ_START, NULL, 0);
	if (!ret)
		ret = stream_page(fd, out);
	ioctl(fd, WIASCAN_IOC_STREAMOFF);
	return ret;
}

int main(int argc, char **argv)
{
	struct wiascan_reqbufs none = { .count = 0 };
	FILE *out;
	int fd, ret, i;

	if (argc != 5) {
		fprintf(stderr, "usage: %s DEVICE WIDTH HEIGHT OUTPUT\n",
			argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	out = fopen(argv[4], "w");
	if (!out) {
		perror(argv[4]);
		return 1;
	}
	ret = capture(fd, atoi(argv[2]), atoi(argv[3]), out);
	for (i = 0; i < NBUF; i++)
		if (map[i] && map[i] != MAP_FAILED)
			munmap(map[i], BUFSIZE);
	ioctl(fd, WIASCAN_IOC_REQBUFS, &none); /* free the ring once unmapped */
	close(fd);
	if (fclose(out) || ret) {
		fprintf(stderr, "capture: %s\n", strerror(ret ? -ret : errno));
		return 1;
	}
	return 0;
}
