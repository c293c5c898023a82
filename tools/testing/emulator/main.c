// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan-emu: options, messages, signals and the gadget's life cycle.
 *
 * The main thread blocks the signals it acts on and takes them with
 * sigtimedwait(): SIGINT/SIGTERM tear down and exit, SIGUSR1 unplugs,
 * SIGUSR2 replugs, SIGHUP reloads the feeder.  The worker threads sleep in
 * system calls on FunctionFS files; to wake them at exit, SIGRTMIN is sent
 * to them with a handler installed without SA_RESTART, so the call fails
 * with EINTR (f_fs dequeues its request in that case).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"

#define PROG		 "wiascan-emu"
#define READY_TIMEOUT_MS 10000 /* wait this long for the host */
#define EXIT_USAGE	 2

static struct timespec t0;

const struct emu_ident emu_ident_refscan = {
	.vid = REFSCAN_VENDOR_ID,
	.pid = REFSCAN_PRODUCT_ID,
	.bcd_device = 0x0100,
	.manufacturer = REFSCAN_MANUFACTURER,
	.product = REFSCAN_PRODUCT,
	.if_class = REFSCAN_IF_CLASS,
	.if_subclass = REFSCAN_IF_SUBCLASS,
	.if_protocol = REFSCAN_IF_PROTOCOL,
	.intr_ep = true,
};

static void vlog(const char *fmt, va_list ap)
{
	struct timespec t;
	double dt;

	clock_gettime(CLOCK_MONOTONIC, &t);
	dt = (double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
	flockfile(stderr);
	fprintf(stderr, PROG ": [%10.6f] ", dt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void emu_log(const struct emu *emu, const char *fmt, ...)
{
	va_list ap;

	if (!emu->opt.verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void emu_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [OPTIONS]\n"
		"The wiascan reference scanner as a USB gadget (FunctionFS on configfs).\n"
		"Runs in the foreground until SIGINT or SIGTERM.\n"
		"\n"
		"  --sheets N             sheets in the ADF feeder (default 1)\n"
		"  --page-lengths L1,...  rows of each ADF sheet when the host asks for\n"
		"                         unknown-length pages; the last value repeats\n"
		"                         (default: A4 length at the scan's dpi)\n"
		"  --udc NAME             UDC to bind (default " EMU_DEF_UDC
		")\n"
		"  --name NAME            configfs gadget and FunctionFS name\n"
		"                         (default " EMU_DEF_NAME ")\n"
		"  --serial S             serial number string (default " EMU_DEF_SERIAL
		",\n"
		"                         " EMU_FJ_SERIAL
		" with --personality fujitsu)\n"
		"  --ready FILE           create FILE once bound and configured by the host\n"
		"  --queue N              bulk-in requests in flight (default %d, max %d)\n"
		"  --chunk-kib N          KiB per bulk-in request (default %d, max %d)\n"
		"  --rate-kib N           send at most N KiB/s (a slow device)\n"
		"  --warmup-ms N          wait N ms after START before the first byte\n"
		"  --ctrl-delay-ms N      wait N ms before answering each vendor request\n"
		"  --start-delay-ms N     wait N ms more before answering START\n"
		"  --feed-ms N            drawing one ADF sheet takes N ms (default 0)\n"
		"  --image FILE...        send these pictures (PNM P4/P5/P6 or PNG) instead\n"
		"                         of the formula: one per ADF sheet, repeated in\n"
		"                         turn (the flatbed shows the first), each scaled\n"
		"                         to the page the host asks for, in its mode\n"
		"  --fault KIND@PAGE[:BYTES]\n"
		"                         once, in page PAGE (0-based from START) after\n"
		"                         BYTES bytes (rounded down to whole packets):\n"
		"                         stall (halt bulk-in), jam or double-feed (stop,\n"
		"                         send the event, GET_STATUS error), disconnect\n"
		"                         (unplug), short (the page ends at BYTES),\n"
		"                         freeze (send nothing more, still scanning);\n"
		"                         fujitsu: also cover-open; PAGE is the page\n"
		"                         number of the side (duplex: front 2k, back 2k+1)\n"
		"  --personality NAME     refscan (default) or fujitsu: a Fujitsu fi-7160\n"
		"                         (SCSI over USB, Documentation/protocols/fujitsu.rst);\n"
		"                         its faults add cover-open, its pages count per side\n"
		"  --model NAME           fi-7160: the same as --personality fujitsu\n"
		"  --verbose              log events and requests to stderr\n"
		"  --help                 this text\n"
		"\n"
		"Signals: SIGUSR1 unplug, SIGUSR2 replug, SIGHUP reload the feeder.\n"
		"Protocol: Documentation/reference-protocol.rst\n",
		EMU_DEF_QUEUE, EMU_MAX_QUEUE, EMU_DEF_CHUNK_KIB,
		EMU_MAX_CHUNK_KIB);
}

static void __attribute__((noreturn)) bad_option(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(EXIT_USAGE);
}

static unsigned long parse_num(const char *opt, const char *s,
			       unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		bad_option("%s: expected a number from %lu to %lu, got '%s'",
			   opt, min, max, s);
	return v;
}

static void parse_lengths(struct emu_options *o, const char *arg)
{
	char buf[1024], *tok, *save;

	if (strlen(arg) >= sizeof(buf))
		bad_option("--page-lengths: list too long");
	memcpy(buf, arg, strlen(arg) + 1);
	o->n_page_lengths = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_page_lengths == EMU_MAX_PAGE_LENGTHS)
			bad_option("--page-lengths: at most %d values",
				   EMU_MAX_PAGE_LENGTHS);
		o->page_lengths[o->n_page_lengths++] = (uint32_t)parse_num(
			"--page-lengths", tok, 1, EMU_MAX_PAGE_ROWS);
	}
	if (!o->n_page_lengths)
		bad_option("--page-lengths: expected L1,L2,...");
}

static void parse_fault(struct emu_fault *f, const char *arg)
{
	static const struct {
		const char *name;
		enum emu_fault_kind kind;
	} kinds[] = {
		{ "stall", FAULT_STALL },
		{ "jam", FAULT_JAM },
		{ "double-feed", FAULT_DOUBLE_FEED },
		{ "disconnect", FAULT_DISCONNECT },
		{ "short", FAULT_SHORT },
		{ "freeze", FAULT_FREEZE },
		{ "cover-open", FAULT_COVER_OPEN },
	};
	char buf[64], *at, *colon;
	size_t i;

	if (strlen(arg) >= sizeof(buf))
		bad_option("--fault: too long");
	memcpy(buf, arg, strlen(arg) + 1);
	at = strchr(buf, '@');
	if (!at)
		bad_option("--fault: expected KIND@PAGE[:BYTES], got '%s'",
			   arg);
	*at++ = '\0';
	colon = strchr(at, ':');
	if (colon)
		*colon++ = '\0';
	f->kind = FAULT_NONE;
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(buf, kinds[i].name))
			f->kind = kinds[i].kind;
	if (f->kind == FAULT_NONE)
		bad_option("--fault: unknown kind '%s'", buf);
	f->page = (uint32_t)parse_num("--fault", at, 0, 65535);
	f->offset = colon ? parse_num("--fault", colon, 0, 0xffffffffUL) : 0;
}

static void add_image(struct emu_options *o, char *path)
{
	static char *files[EMU_MAX_IMAGES];

	if (o->n_images == EMU_MAX_IMAGES)
		bad_option("--image: at most %d files", EMU_MAX_IMAGES);
	files[o->n_images++] = path;
	o->images = files;
}

static void check_name(const char *opt, const char *s, size_t max)
{
	if (!*s || strlen(s) > max || strchr(s, '/') || *s == '.')
		bad_option("%s: '%s' is not a usable name", opt, s);
}

static void parse_options(struct emu_options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sheets", required_argument, NULL, 's' },
		{ "page-lengths", required_argument, NULL, 'l' },
		{ "udc", required_argument, NULL, 'u' },
		{ "name", required_argument, NULL, 'n' },
		{ "serial", required_argument, NULL, 'S' },
		{ "ready", required_argument, NULL, 'r' },
		{ "queue", required_argument, NULL, 'q' },
		{ "chunk-kib", required_argument, NULL, 'c' },
		{ "rate-kib", required_argument, NULL, 'R' },
		{ "warmup-ms", required_argument, NULL, 'w' },
		{ "ctrl-delay-ms", required_argument, NULL, 'D' },
		{ "start-delay-ms", required_argument, NULL, 'T' },
		{ "feed-ms", required_argument, NULL, 'F' },
		{ "fault", required_argument, NULL, 'f' },
		{ "image", required_argument, NULL, 'i' },
		{ "personality", required_argument, NULL, 'P' },
		{ "model", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct emu_options) {
		.ident = &emu_ident_refscan,
		.sheets = 1,
		.udc = EMU_DEF_UDC,
		.name = EMU_DEF_NAME,
		.queue = EMU_DEF_QUEUE,
		.chunk = EMU_DEF_CHUNK_KIB * 1024,
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->sheets = (unsigned int)parse_num("--sheets", optarg,
							    0, 65535);
			break;
		case 'l':
			parse_lengths(o, optarg);
			break;
		case 'u':
			check_name("--udc", optarg, 64);
			o->udc = optarg;
			break;
		case 'n':
			check_name("--name", optarg, 40);
			o->name = optarg;
			break;
		case 'S':
			if (!*optarg || strlen(optarg) > 126)
				bad_option("--serial: 1 to 126 characters");
			o->serial = optarg;
			break;
		case 'r':
			o->ready = optarg;
			break;
		case 'q':
			o->queue = (unsigned int)parse_num("--queue", optarg, 1,
							   EMU_MAX_QUEUE);
			break;
		case 'c':
			o->chunk = 1024 * parse_num("--chunk-kib", optarg, 1,
						    EMU_MAX_CHUNK_KIB);
			break;
		case 'R':
			o->rate = 1024 * (uint64_t)parse_num("--rate-kib",
							     optarg, 1,
							     10000000);
			break;
		case 'w':
			o->warmup_ms = (unsigned int)parse_num(
				"--warmup-ms", optarg, 0, 600000);
			break;
		case 'D':
			o->ctrl_delay_ms = (unsigned int)parse_num(
				"--ctrl-delay-ms", optarg, 0, 600000);
			break;
		case 'T':
			o->start_delay_ms = (unsigned int)parse_num(
				"--start-delay-ms", optarg, 0, 600000);
			break;
		case 'F':
			o->feed_ms = (unsigned int)parse_num("--feed-ms",
							     optarg, 0, 60000);
			break;
		case 'f':
			parse_fault(&o->fault, optarg);
			break;
		case 'i':
			add_image(o, optarg);
			break;
		case 'P':
			if (!strcmp(optarg, "fujitsu"))
				o->personality = PERS_FUJITSU;
			else if (strcmp(optarg, "refscan") != 0)
				bad_option("--personality: refscan or fujitsu");
			break;
		case 'M':
			if (strcmp(optarg, "fi-7160") != 0)
				bad_option("--model: only fi-7160 is emulated");
			o->personality = PERS_FUJITSU;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			bad_option("%s needs a value", argv[optind - 1]);
		default:
			bad_option("unknown option '%s'", argv[optind - 1]);
		}
	}
	/* the files after --image's first: --image A.pnm B.pnm C.png */
	for (; optind < argc && o->n_images; optind++)
		add_image(o, argv[optind]);
	if (optind < argc)
		bad_option("unexpected argument '%s'", argv[optind]);
	if (!o->serial)
		o->serial = o->personality == PERS_FUJITSU ? EMU_FJ_SERIAL :
							     EMU_DEF_SERIAL;
	if (o->personality == PERS_FUJITSU) {
		o->ident = &emu_ident_fujitsu;
		if (o->n_images)
			bad_option("--image: not with --personality fujitsu");
	} else if (o->fault.kind == FAULT_COVER_OPEN) {
		bad_option(
			"--fault cover-open: only with --personality fujitsu");
	}
}

static void init_state(struct emu *emu)
{
	pthread_mutex_init(&emu->lock, NULL);
	pthread_cond_init(&emu->configured_cond, NULL);
	/* a valid default, so START works before any SET_PARAMS */
	emu->params = (struct refscan_params) {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 300,
		.width_px = emu_px(210000, 300),
		.height_px = emu_px(297000, 300),
	};
	emu->params.bytes_per_line =
		refscan_bytes_per_line(emu->params.mode, emu->params.width_px);
	emu->status.state = REFSCAN_STATE_IDLE;
	emu->status.sheets_left = (uint16_t)emu->opt.sheets;
	emu->gadget.ep0 = emu->gadget.ep_in = -1;
	emu->gadget.ep_out = emu->gadget.ep_intr = -1;
}

/* --- waking and joining the worker threads ------------------------- */

static void on_kick(int sig)
{
	(void)sig;
}

void emu_kick(pthread_t thread)
{
	pthread_kill(thread, SIGRTMIN);
}

/*
 * The thread may be between its check of emu->stopping and the blocking
 * call when the signal arrives, so kick it again until it has gone.
 */
int emu_join(pthread_t thread, const char *what)
{
	struct timespec t;
	int i, ret;

	for (i = 0; i < 200; i++) {
		emu_kick(thread);
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 50 * 1000 * 1000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		ret = pthread_timedjoin_np(thread, NULL, &t);
		if (ret != ETIMEDOUT)
			return -ret;
	}
	emu_warn("%s thread does not stop", what);
	return -ETIMEDOUT;
}

static int setup_signals(sigset_t *set)
{
	struct sigaction sa = { .sa_handler = on_kick }; /* no SA_RESTART */

	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGPIPE);
	if (sigaction(SIGRTMIN, &sa, NULL))
		return -errno;
	/* inherited by every thread created afterwards */
	return -pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* --- life cycle ------------------------------------------------------ */

static int create_ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	dprintf(fd, "%d\n", (int)getpid());
	close(fd);
	return 0;
}

static void reload_feeder(struct emu *emu)
{
	pthread_mutex_lock(&emu->lock);
	emu->status.sheets_left = (uint16_t)emu->opt.sheets;
	emu->sheet_index = 0;
	pthread_mutex_unlock(&emu->lock);
	emu_log(emu, "feeder reloaded with %u sheets", emu->opt.sheets);
}

static void plug(struct emu *emu, bool in)
{
	int ret = in ? gadget_bind(&emu->gadget, emu->opt.udc) :
		       gadget_unbind(&emu->gadget);

	if (ret && !(in && ret == -EBUSY))
		emu_warn("%s: %s", in ? "replug" : "unplug", strerror(-ret));
	else
		emu_log(emu, "%s", in ? "replugged" : "unplugged");
}

static bool is_configured(struct emu *emu)
{
	bool c;

	pthread_mutex_lock(&emu->lock);
	c = emu->configured;
	pthread_mutex_unlock(&emu->lock);
	return c;
}

/* Serve signals until told to stop; create --ready once the host is up */
static void main_loop(struct emu *emu, const sigset_t *set)
{
	struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	bool ready = !emu->opt.ready;
	int waited_ms = 0, sig;

	for (;;) {
		if (!ready &&
		    (is_configured(emu) || waited_ms >= READY_TIMEOUT_MS)) {
			if (!is_configured(emu))
				emu_warn(
					"host has not configured the gadget yet");
			if (create_ready(emu->opt.ready))
				emu_warn("--ready %s: %s", emu->opt.ready,
					 strerror(errno));
			ready = true;
		}
		sig = sigtimedwait(set, NULL, &tick);
		waited_ms += 100;
		if (sig == SIGINT || sig == SIGTERM)
			return;
		if (sig == SIGUSR1)
			plug(emu, false);
		else if (sig == SIGUSR2)
			plug(emu, true);
		else if (sig == SIGHUP)
			reload_feeder(emu);
	}
}

/* The worker threads, and how many of them were started */
struct workers {
	pthread_t ep0, sink;
	int started;
};

static int start_threads(struct emu *emu, struct workers *w)
{
	int ret;

	/* the Fujitsu personality: ep0 and one command thread, no stream */
	if (emu->opt.personality == PERS_FUJITSU) {
		ret = fj_start(emu, &w->ep0, &w->sink);
		if (!ret)
			w->started = 4;
		return ret;
	}
	ret = stream_create(emu);

	if (ret)
		return ret;
	w->started = 1;
	ret = ep0_start(emu, &w->ep0);
	if (ret)
		return ret;
	w->started = 2;
	ret = sink_start(emu, &w->sink);
	if (ret)
		return ret;
	w->started = 3;
	return 0;
}

static void stop_threads(struct emu *emu, struct workers *w)
{
	atomic_store(&emu->stopping, true);
	/* unplug first: blocked endpoint I/O fails, the host lets go */
	if (w->started)
		gadget_unbind(&emu->gadget);
	if (w->started == 4) {
		emu_join(w->sink, "command");
		emu_join(w->ep0, "ep0");
		return;
	}
	if (w->started >= 3)
		emu_join(w->sink, "bulk-out");
	if (w->started >= 2)
		emu_join(w->ep0, "ep0");
	if (w->started >= 1)
		stream_destroy(emu);
}

/* Gadget, threads, UDC: each failure says what is missing */
static int bring_up(struct emu *emu, struct workers *w)
{
	const struct emu_options *opt = &emu->opt;
	int ret = gadget_remove_stale(opt->name);

	if (ret) {
		emu_warn("cannot remove the stale gadget %s: %s", opt->name,
			 strerror(-ret));
		return ret;
	}
	ret = gadget_setup(&emu->gadget, opt);
	if (ret) {
		emu_warn(
			"gadget setup: %s (root? configfs, libcomposite, usb_f_fs?)",
			strerror(-ret));
		return ret;
	}
	ret = start_threads(emu, w);
	if (ret) {
		emu_warn("cannot start threads: %s", strerror(-ret));
		return ret;
	}
	ret = gadget_bind(&emu->gadget, opt->udc);
	if (ret) {
		emu_warn("cannot bind to UDC %s: %s (see /sys/class/udc)",
			 opt->udc, strerror(-ret));
		return ret;
	}
	emu_log(emu, "bound to %s", opt->udc);
	return 0;
}

int main(int argc, char **argv)
{
	static struct emu emu;
	struct workers w = { 0 };
	sigset_t set;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	parse_options(&emu.opt, argc, argv);
	init_state(&emu);
	if (image_init()) {
		emu_warn("image generator disagrees with formula.h");
		return 1;
	}
	if (emu.opt.n_images) {
		char err[512];

		if (sheets_open(emu.opt.images, emu.opt.n_images, &emu.sheets,
				err, sizeof(err))) {
			fprintf(stderr, PROG ": --image %s\n", err);
			return EXIT_USAGE;
		}
	}
	ret = setup_signals(&set);
	if (ret) {
		emu_warn("signals: %s", strerror(-ret));
		return 1;
	}
	ret = bring_up(&emu, &w);
	if (!ret)
		main_loop(&emu, &set);
	stop_threads(&emu, &w);
	gadget_teardown(&emu.gadget);
	if (emu.opt.ready && !ret)
		unlink(emu.opt.ready);
	sheets_close(emu.sheets);
	emu_log(&emu, "exit");
	return ret ? 1 : 0;
}
