// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer ring without streaming: REQBUFS, QUERYBUF and mmap bounds,
 * read-only mappings, freeing, and which file owns the queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define NBUFS	4
#define BUFSIZE (16 * 1024)

SCANNER_FIXTURE(scanner, NULL)

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static int reqbufs(int fd, uint32_t count, uint32_t size,
		   struct wiascan_reqbufs *out)
{
	struct wiascan_reqbufs rb = { .count = count, .size = size };
	int ret;

	ret = wt_ioctl(fd, WIASCAN_IOC_REQBUFS, &rb);
	if (out)
		*out = rb;
	return ret;
}

static int querybuf(int fd, uint32_t index, struct wiascan_buffer *b)
{
	memset(b, 0, sizeof(*b));
	b->index = index;
	return wt_ioctl(fd, WIASCAN_IOC_QUERYBUF, b);
}

/* mmap's errno, or 0 (after unmapping) when the mapping was granted */
static int try_mmap(int fd, size_t len, int prot, int flags, uint64_t offset)
{
	void *m = mmap(NULL, len, prot, flags, fd, (off_t)offset);

	if (m == MAP_FAILED)
		return errno;
	munmap(m, len);
	return 0;
}

TEST_F(scanner, reqbufs_grants_count_and_rounds_size_up_to_pages)
{
	struct wiascan_reqbufs rb;
	size_t pg = page_size();

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, 10000, &rb));
	EXPECT_EQ(NBUFS, rb.count);
	EXPECT_EQ((10000 + pg - 1) / pg * pg, rb.size);
}

TEST_F(scanner, querybuf_gives_page_aligned_disjoint_buffers)
{
	struct wiascan_buffer b[NBUFS];
	unsigned int i, j;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	for (i = 0; i < NBUFS; i++) {
		ASSERT_EQ(0, querybuf(self->s.fd, i, &b[i]));
		EXPECT_EQ(i, b[i].index);
		EXPECT_EQ(BUFSIZE, b[i].length);
		EXPECT_EQ(0, b[i].offset % page_size());
		EXPECT_EQ(0, b[i].bytesused);
	}
	for (i = 0; i < NBUFS; i++)
		for (j = i + 1; j < NBUFS; j++)
			EXPECT_TRUE(b[i].offset + b[i].length <= b[j].offset ||
				    b[j].offset + b[j].length <= b[i].offset)
	TH_LOG("buffers %u and %u overlap", i, j);
}

TEST_F(scanner, querybuf_flags_follow_mapping_and_queueing)
{
	struct wiascan_buffer b;
	void *m;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 1, &b));
	EXPECT_EQ(0, b.flags);

	m = mmap(NULL, b.length, PROT_READ, MAP_SHARED, self->s.fd,
		 (off_t)b.offset);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, querybuf(self->s.fd, 1, &b));
	EXPECT_EQ(WIASCAN_BUF_FLAG_MAPPED, b.flags);

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF,
			      &(struct wiascan_buffer) { .index = 1 }));
	ASSERT_EQ(0, querybuf(self->s.fd, 1, &b));
	EXPECT_EQ(WIASCAN_BUF_FLAG_MAPPED | WIASCAN_BUF_FLAG_QUEUED, b.flags);

	munmap(m, b.length);
	ASSERT_EQ(0, querybuf(self->s.fd, 1, &b));
	EXPECT_EQ(WIASCAN_BUF_FLAG_QUEUED, b.flags);
}

TEST_F(scanner, fresh_buffers_map_read_only_and_hold_only_zeros)
{
	struct ring r;
	unsigned int i;
	size_t off, nonzero = 0;

	/* Whole fresh pages: no stale kernel memory may reach user space */
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, NBUFS, BUFSIZE));
	for (i = 0; i < r.count; i++)
		for (off = 0; off < r.size; off++)
			nonzero += r.map[i][off] != 0;
	EXPECT_EQ(0, nonzero);
	EXPECT_EQ(0, ring_free(&r));
}

TEST_F(scanner, mmap_offset_past_the_end_is_refused)
{
	struct wiascan_buffer b;
	uint64_t end = 0;
	unsigned int i;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	for (i = 0; i < NBUFS; i++) {
		ASSERT_EQ(0, querybuf(self->s.fd, i, &b));
		if (b.offset + b.length > end)
			end = b.offset + b.length;
	}
	EXPECT_EQ(EINVAL,
		  try_mmap(self->s.fd, BUFSIZE, PROT_READ, MAP_SHARED, end));
	EXPECT_EQ(EINVAL, try_mmap(self->s.fd, page_size(), PROT_READ,
				   MAP_SHARED, end));
	EXPECT_EQ(EINVAL, try_mmap(self->s.fd, BUFSIZE, PROT_READ, MAP_SHARED,
				   1ull << 40));
}

TEST_F(scanner, mmap_longer_than_a_buffer_is_refused)
{
	struct wiascan_buffer first, last;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 0, &first));
	ASSERT_EQ(0, querybuf(self->s.fd, NBUFS - 1, &last));
	/* Into the next buffer, and past the end of the ring */
	EXPECT_EQ(EINVAL, try_mmap(self->s.fd, 2 * BUFSIZE, PROT_READ,
				   MAP_SHARED, first.offset));
	EXPECT_EQ(EINVAL, try_mmap(self->s.fd, BUFSIZE + page_size(), PROT_READ,
				   MAP_SHARED, last.offset));
}

TEST_F(scanner, mmap_shorter_than_a_buffer_is_refused)
{
	struct wiascan_buffer b;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 1, &b));
	EXPECT_EQ(EINVAL, try_mmap(self->s.fd, b.length - page_size(),
				   PROT_READ, MAP_SHARED, b.offset));
}

TEST_F(scanner, mmap_offset_inside_a_buffer_is_refused)
{
	struct wiascan_buffer b;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 1, &b));
	EXPECT_EQ(EINVAL, try_mmap(self->s.fd, page_size(), PROT_READ,
				   MAP_SHARED, b.offset + page_size()));
	EXPECT_EQ(EINVAL,
		  try_mmap(self->s.fd, b.length - page_size(), PROT_READ,
			   MAP_SHARED, b.offset + page_size()));
}

TEST_F(scanner, writable_shared_mapping_is_refused)
{
	struct wiascan_buffer b;
	int err;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 0, &b));
	err = try_mmap(self->s.fd, b.length, PROT_READ | PROT_WRITE, MAP_SHARED,
		       b.offset);
	EXPECT_EQ(EPERM, err) TH_LOG("%s", err ? strerror(err) : "granted");
	err = try_mmap(self->s.fd, b.length, PROT_WRITE, MAP_SHARED, b.offset);
	EXPECT_EQ(EPERM, err) TH_LOG("%s", err ? strerror(err) : "granted");
}

TEST_F(scanner, mprotect_of_a_mapping_to_writable_is_refused)
{
	struct wiascan_buffer b;
	void *m;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 0, &b));
	m = mmap(NULL, b.length, PROT_READ, MAP_SHARED, self->s.fd,
		 (off_t)b.offset);
	ASSERT_NE(MAP_FAILED, m);
	/* VM_MAYWRITE must be clear, or this upgrade would succeed */
	EXPECT_EQ(-1, mprotect(m, b.length, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(m, b.length);
}

TEST_F(scanner, writable_private_mapping_is_refused)
{
	struct wiascan_buffer b;
	int err;

	/* The buffers are read-only capture memory: no writable view at all */
	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 0, &b));
	err = try_mmap(self->s.fd, b.length, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE, b.offset);
	EXPECT_EQ(EPERM, err) TH_LOG("%s", err ? strerror(err) : "granted");
}

TEST_F(scanner, reqbufs_zero_frees_the_ring)
{
	struct wiascan_reqbufs rb;
	struct wiascan_buffer b;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 0, &b));
	ASSERT_EQ(0, reqbufs(self->s.fd, 0, 0, &rb));
	EXPECT_EQ(0, rb.count);
	EXPECT_EQ(-EINVAL,
		  querybuf(self->s.fd, 0, &(struct wiascan_buffer) { 0 }));
	EXPECT_NE(0, try_mmap(self->s.fd, BUFSIZE, PROT_READ, MAP_SHARED,
			      b.offset));
}

TEST_F(scanner, reqbufs_zero_while_mapped_returns_ebusy)
{
	struct ring r;

	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, NBUFS, BUFSIZE));
	/* One mapping is enough to keep the ring */
	munmap((void *)r.map[0], r.size);
	r.map[0] = NULL;
	EXPECT_EQ(-EBUSY, reqbufs(self->s.fd, 0, 0, NULL));
	EXPECT_EQ(0, querybuf(self->s.fd, NBUFS - 1,
			      &(struct wiascan_buffer) { 0 }));
	ring_unmap(&r);
}

TEST_F(scanner, reqbufs_zero_after_munmap_succeeds)
{
	struct ring r;

	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, NBUFS, BUFSIZE));
	ring_unmap(&r);
	EXPECT_EQ(0, reqbufs(self->s.fd, 0, 0, NULL));
	EXPECT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
}

TEST_F(scanner, second_file_gets_ebusy_for_queue_operations)
{
	struct wiascan_buffer b = { .index = 0 };
	int fd2;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	fd2 = open(self->s.node, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBUSY, reqbufs(fd2, NBUFS, BUFSIZE, NULL));
	EXPECT_EQ(-EBUSY, reqbufs(fd2, 0, 0, NULL));
	EXPECT_EQ(-EBUSY, wt_ioctl(fd2, WIASCAN_IOC_QBUF, &b));
	memset(&b, 0, sizeof(b));
	EXPECT_EQ(-EBUSY, wt_ioctl(fd2, WIASCAN_IOC_DQBUF, &b));
	EXPECT_EQ(-EBUSY, wt_ioctl(fd2, WIASCAN_IOC_STREAMON, NULL));
	EXPECT_EQ(-EBUSY, wt_ioctl(fd2, WIASCAN_IOC_STREAMOFF, NULL));
	close(fd2);
}

TEST_F(scanner, second_file_cannot_map_the_owners_buffers)
{
	struct wiascan_buffer b;
	int fd2;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, querybuf(self->s.fd, 0, &b));
	fd2 = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(EBUSY,
		  try_mmap(fd2, b.length, PROT_READ, MAP_SHARED, b.offset));
	close(fd2);
}

TEST_F(scanner, second_file_can_query_while_first_owns_the_queue)
{
	struct wiascan_caps caps;
	struct refscan_info info;
	int fd2;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	fd2 = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, wt_ioctl(fd2, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(WIASCAN_ABI_VERSION, caps.abi_version);
	EXPECT_EQ(0, ref_get_info(fd2, &info));
	close(fd2);
}

TEST_F(scanner,
       queue_passes_to_another_file_after_the_owner_frees_it_and_unclaims)
{
	int fd2;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	fd2 = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(-EBUSY, reqbufs(fd2, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, reqbufs(self->s.fd, 0, 0, NULL));
	/* the ring is gone but the owner's claim is not: REQBUFS needs it */
	EXPECT_EQ(-EBUSY, reqbufs(fd2, NBUFS, BUFSIZE, NULL));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_UNCLAIM, NULL));
	EXPECT_EQ(0, reqbufs(fd2, NBUFS, BUFSIZE, NULL));
	EXPECT_EQ(-EBUSY, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	close(fd2);
}

TEST_F(scanner, queue_passes_to_another_file_after_the_owner_closes)
{
	int fd2;

	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
	fd2 = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	close(self->s.fd);
	self->s.fd = fd2;
	EXPECT_EQ(0, reqbufs(fd2, NBUFS, BUFSIZE, NULL));
}

TEST_F(scanner, mapping_stays_readable_after_the_file_is_closed)
{
	struct refscan_params p;
	struct wiascan_buffer b;
	unsigned int i;
	struct ring r;
	long bad;

	/* One 1000-byte page in a buffer, then the file goes away */
	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 100, 10, &p));
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, NBUFS, BUFSIZE));
	ASSERT_EQ(0, ring_queue_all(&r));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ(0, ring_dequeue(&r, &b));
	ASSERT_EQ(1000, b.bytesused);
	EXPECT_EQ(0, close(self->s.fd));
	self->s.fd = -1;

	bad = wt_formula_mismatch(r.map[b.index], b.bytesused, p.bytes_per_line,
				  0, 0);
	EXPECT_EQ(-1, bad) TH_LOG("byte %ld", bad);
	for (i = 0; i < r.count; i++) {
		EXPECT_EQ(0, munmap((void *)r.map[i], r.size));
		r.map[i] = NULL;
	}
	/* The buffers are gone with the last mapping: a new file may own */
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->s.fd);
	EXPECT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE, NULL));
}

static int query_caps(struct __test_metadata *_metadata, int fd,
		      struct wiascan_caps *caps)
{
	int ret = wt_ioctl(fd, WIASCAN_IOC_QUERYCAP, caps);

	EXPECT_EQ(0, ret);
	return ret;
}

TEST_F(scanner, reqbufs_up_to_the_advertised_limits_succeeds)
{
	struct wiascan_reqbufs rb;
	struct wiascan_caps caps;
	uint32_t count;

	ASSERT_EQ(0, query_caps(_metadata, self->s.fd, &caps));
	ASSERT_EQ(0, reqbufs(self->s.fd, 1, caps.max_buffer_size, &rb));
	EXPECT_EQ(caps.max_buffer_size, rb.size);
	ASSERT_EQ(0, reqbufs(self->s.fd, 0, 0, NULL));
	count = caps.max_buffers;
	if ((uint64_t)count * page_size() > caps.max_total_bytes)
		count = (uint32_t)(caps.max_total_bytes / page_size());
	ASSERT_EQ(0, reqbufs(self->s.fd, count, (uint32_t)page_size(), &rb));
	EXPECT_EQ(count, rb.count);
}

TEST_F(scanner, reqbufs_count_above_max_buffers_returns_einval)
{
	struct wiascan_caps caps;

	ASSERT_EQ(0, query_caps(_metadata, self->s.fd, &caps));
	EXPECT_EQ(-EINVAL, reqbufs(self->s.fd, caps.max_buffers + 1,
				   (uint32_t)page_size(), NULL));
	EXPECT_EQ(-EINVAL, reqbufs(self->s.fd, UINT32_MAX, BUFSIZE, NULL));
}

TEST_F(scanner, reqbufs_size_above_max_buffer_size_returns_einval)
{
	struct wiascan_caps caps;

	ASSERT_EQ(0, query_caps(_metadata, self->s.fd, &caps));
	EXPECT_EQ(-EINVAL,
		  reqbufs(self->s.fd, 2, caps.max_buffer_size + 1, NULL));
	/* UINT32_MAX would wrap to 0 if rounded up to pages carelessly */
	EXPECT_EQ(-EINVAL, reqbufs(self->s.fd, 2, UINT32_MAX, NULL));
	EXPECT_EQ(-EINVAL,
		  reqbufs(self->s.fd, 2, UINT32_MAX - (uint32_t)page_size() + 2,
			  NULL));
}

TEST_F(scanner, reqbufs_size_zero_returns_einval)
{
	EXPECT_EQ(-EINVAL, reqbufs(self->s.fd, NBUFS, 0, NULL));
}

TEST_F(scanner, reqbufs_beyond_the_memory_cap_returns_enomem)
{
	struct wiascan_caps caps;
	uint64_t count;

	ASSERT_EQ(0, query_caps(_metadata, self->s.fd, &caps));
	count = caps.max_total_bytes / caps.max_buffer_size + 1;
	if (count > caps.max_buffers)
		SKIP(return,
			   "max_buffers x max_buffer_size fits in max_total_bytes");
	EXPECT_EQ(-ENOMEM, reqbufs(self->s.fd, (uint32_t)count,
				   caps.max_buffer_size, NULL));
}

TEST_HARNESS_MAIN
