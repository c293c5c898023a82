// SPDX-License-Identifier: GPL-2.0
/*
 * bulk-out: the host's command pipe.  The reference protocol gives it no
 * meaning yet; the emulator counts and sums what arrives so that tests can
 * check the driver's write() path through GET_STATUS.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "emu.h"

#define SINK_BUF (64 * 1024)

static void account(struct emu *emu, const uint8_t *buf, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += buf[i];
	pthread_mutex_lock(&emu->lock);
	emu->status.bulk_out_bytes += (uint32_t)n;
	emu->status.bulk_out_sum += sum;
	pthread_mutex_unlock(&emu->lock);
}

static void *sink_thread(void *arg)
{
	static uint8_t buf[SINK_BUF];
	struct emu *emu = arg;
	ssize_t n;

	while (!atomic_load(&emu->stopping)) {
		/* blocks while unplugged; ESHUTDOWN when unplugged meanwhile */
		n = read(emu->gadget.ep_out, buf, sizeof(buf));
		if (n > 0) {
			account(emu, buf, (size_t)n);
		} else if (n < 0 && errno != EINTR && errno != ESHUTDOWN) {
			emu_log(emu, "bulk-out: %s", strerror(errno));
			usleep(10000); /* don't spin on a persistent error */
		}
	}
	return NULL;
}

int sink_start(struct emu *emu, pthread_t *thread)
{
	return -pthread_create(thread, NULL, sink_thread, emu);
}
