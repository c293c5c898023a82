// SPDX-License-Identifier: GPL-2.0
/*
 * The message of a second signal, following the files on disk (see
 * stopmsg.h).
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "compiler.h"
#include "stopmsg.h"

/* Append to @buf at *@pos, never past @len */
static __printf(4, 5) void put(char *buf, size_t len, size_t *pos,
			       const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

/* Format the message into the buffer not published, then publish it */
static void stop_msg_make(struct stop_msg *m)
{
	int next = !m->cur;
	char *b = m->buf[next];
	size_t len = sizeof(m->buf[next]), pos = 0;
	const char *sep = "";

	put(b, len, &pos, "%s: stopped at once: ", m->prog);
	if (m->kind == STOP_MSG_STDOUT) {
		put(b, len, &pos, "standard output ends in an unfinished page");
		sep = "; ";
	} else if (m->kind == STOP_MSG_TMP_TIFF && m->done) {
		put(b, len, &pos, "the complete TIFF is kept in %s%s", m->last,
		    " (standard output may hold part of it)");
		sep = "; ";
	} else if (m->kind == STOP_MSG_TMP_TIFF) {
		put(b, len, &pos, "nothing written to standard output");
		sep = "; ";
	} else if (m->kind == STOP_MSG_FILE && m->done) {
		put(b, len, &pos, "%s is kept", m->last);
		sep = "; ";
	} else if (m->kind == STOP_MSG_BATCH && m->done == 1) {
		put(b, len, &pos, "%s is kept", m->first);
		sep = "; ";
	} else if (m->kind == STOP_MSG_BATCH && m->done) {
		put(b, len, &pos, "%s", m->first);
		put(b, len, &pos,
		    m->done == 2 ? " and %s are kept" : " to %s are kept",
		    m->last);
		sep = "; ";
	} else if (m->kind == STOP_MSG_BATCH) {
		put(b, len, &pos, "no file was completed");
		sep = "; ";
	}
	if (m->part[0])
		put(b, len, &pos, "%s%s left as it is", sep, m->part);
	else if (!m->done && m->kind == STOP_MSG_FILE)
		put(b, len, &pos, "nothing left");
	put(b, len, &pos, "\n");
	m->len[next] = pos;
	/* the message is whole before the handler may pick it */
	atomic_thread_fence(memory_order_release);
	atomic_signal_fence(memory_order_release);
	m->cur = next;
}

/* @path: the output file, the batch pattern or the temporary TIFF */
void stop_msg_init(struct stop_msg *m, const char *prog,
		   enum stop_msg_kind kind, const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	memset(m, 0, sizeof(*m));
	m->prog = prog;
	m->kind = kind;
	if (slash)
		snprintf(m->dir, sizeof(m->dir), "%.*s",
			 (int)(slash - path + 1), path);
	stop_msg_make(m);
}

/* A file of the output was created, completed (renamed) or removed */
void stop_msg_event(struct stop_msg *m, enum outfile_event ev,
		    const struct outfile *of)
{
	switch (ev) {
	case OUTFILE_CREATED:
		snprintf(m->part, sizeof(m->part), "%s%s", m->dir, of->part);
		break;
	case OUTFILE_COMMITTED:
		snprintf(m->last, sizeof(m->last), "%s%s", m->dir, of->base);
		if (!m->done++)
			snprintf(m->first, sizeof(m->first), "%s", m->last);
		m->part[0] = '\0';
		break;
	case OUTFILE_REMOVED:
		m->part[0] = '\0';
		break;
	}
	stop_msg_make(m);
}

/* For wias_outfile_set_notify(): @arg is the struct stop_msg */
void stop_msg_notify(void *arg, enum outfile_event ev, const struct outfile *of)
{
	stop_msg_event(arg, ev, of);
}

/*
 * The published message: what the signal handler writes (async-signal-safe:
 * a load, a fence, no lock).  The buffer it returns is rewritten only after
 * two more changes on disk, far longer than one write(2) of it.
 */
const char *stop_msg_get(const struct stop_msg *m, size_t *len)
{
	int cur = m->cur;

	/* pairs with the release in stop_msg_make() (another thread's) */
	atomic_thread_fence(memory_order_acquire);
	*len = m->len[cur];
	return m->buf[cur];
}
