// SPDX-License-Identifier: GPL-2.0
/*
 * libtiff, loaded when the first TIFF function is called (wiascan-helper
 * only; the SANE backend and the tests link libtiff as usual).
 *
 * libtiff brings ten libraries with it (webp, zstd, lzma, Lerc with
 * libstdc++ and libgcc_s, jbig, jpeg, deflate, z, m): loading them took
 * 25-35 ms of the helper's start-up in the VM rig, which a raw scan
 * waited for before its first byte (tools/testing/bench/README,
 * "Latency").  The helper is linked without -ltiff; this file defines the
 * TIFF functions the library calls, each declared by tiffio.h (so the
 * compiler checks every one against libtiff's own prototype), and
 * forwards them to libtiff, opened with dlopen() by its soname at the
 * first call.  A TIFF function the library starts to use must be added
 * to TIFF_FUNCS (the link of wiascan-helper names it otherwise).
 *
 * If libtiff cannot be loaded, the functions fail as libtiff's own do
 * (NULL, 0, -1) after one message on standard error.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <tiffio.h>

#ifndef TIFF_SONAME
#define TIFF_SONAME "libtiff.so.6"
#endif

/*
 * X(return type, name, (parameters), (arguments), value on failure);
 * XV(name, (parameters), (arguments)) for the void ones
 */
#define TIFF_FUNCS(X, XV)                                                      \
	XV(TIFFCleanup, (TIFF * t), (t))                                       \
	XV(TIFFClose, (TIFF * t), (t))                                         \
	X(TIFF *, TIFFClientOpenExt,                                           \
	  (const char *name, const char *mode, thandle_t h,                    \
	   TIFFReadWriteProc rd, TIFFReadWriteProc wr, TIFFSeekProc sk,        \
	   TIFFCloseProc cl, TIFFSizeProc sz, TIFFMapFileProc mp,              \
	   TIFFUnmapFileProc um, TIFFOpenOptions *o),                          \
	  (name, mode, h, rd, wr, sk, cl, sz, mp, um, o), NULL)                \
	X(TIFF *, TIFFOpenExt,                                                 \
	  (const char *name, const char *mode, TIFFOpenOptions *o),            \
	  (name, mode, o), NULL)                                               \
	X(TIFFOpenOptions *, TIFFOpenOptionsAlloc, (void), (), NULL)           \
	XV(TIFFOpenOptionsFree, (TIFFOpenOptions * o), (o))                    \
	XV(TIFFOpenOptionsSetErrorHandlerExtR,                                 \
	   (TIFFOpenOptions * o, TIFFErrorHandlerExtR fn, void *arg),          \
	   (o, fn, arg))                                                       \
	XV(TIFFOpenOptionsSetWarningHandlerExtR,                               \
	   (TIFFOpenOptions * o, TIFFErrorHandlerExtR fn, void *arg),          \
	   (o, fn, arg))                                                       \
	X(int, TIFFVSetField, (TIFF * t, uint32_t tag, va_list ap),            \
	  (t, tag, ap), 0)                                                     \
	X(int, TIFFVGetField, (TIFF * t, uint32_t tag, va_list ap),            \
	  (t, tag, ap), 0)                                                     \
	X(int, TIFFReadDirectory, (TIFF * t), (t), 0)                          \
	X(int, TIFFWriteDirectory, (TIFF * t), (t), 0)                         \
	X(int, TIFFIsBigTIFF, (TIFF * t), (t), 0)                              \
	X(uint32_t, TIFFNumberOfStrips, (TIFF * t), (t), 0)                    \
	X(tmsize_t, TIFFStripSize, (TIFF * t), (t), 0)                         \
	X(uint64_t, TIFFGetStrileOffset, (TIFF * t, uint32_t s), (t, s), 0)    \
	X(uint64_t, TIFFGetStrileByteCount, (TIFF * t, uint32_t s), (t, s), 0) \
	X(tmsize_t, TIFFReadEncodedStrip,                                      \
	  (TIFF * t, uint32_t s, void *buf, tmsize_t n), (t, s, buf, n), -1)   \
	X(tmsize_t, TIFFWriteEncodedStrip,                                     \
	  (TIFF * t, uint32_t s, void *buf, tmsize_t n), (t, s, buf, n), -1)   \
	X(tmsize_t, TIFFWriteRawStrip,                                         \
	  (TIFF * t, uint32_t s, void *buf, tmsize_t n), (t, s, buf, n), -1)

/* The pointers into libtiff, set once by tiff_load(): tiffio.h's types */
#define TIFF_PTR(ret, name, params, args, fail) __typeof__(name) *(name);
#define TIFF_PTRV(name, params, args)		__typeof__(name) *(name);
static struct {
	TIFF_FUNCS(TIFF_PTR, TIFF_PTRV)
} tiff;

static pthread_once_t tiff_once = PTHREAD_ONCE_INIT;
static int tiff_loaded; /* 1 every pointer is set, 0 libtiff is missing */

#define TIFF_SYM(ret, name, params, args, fail)   \
	*(void **)&tiff.name = dlsym(lib, #name); \
	ok = ok && tiff.name;
#define TIFF_SYMV(name, params, args)             \
	*(void **)&tiff.name = dlsym(lib, #name); \
	ok = ok && tiff.name;

static void tiff_load(void)
{
	void *lib = dlopen(TIFF_SONAME, RTLD_NOW | RTLD_LOCAL);
	int ok = lib != NULL;

	if (ok) {
		TIFF_FUNCS(TIFF_SYM, TIFF_SYMV)
	}
	if (!ok) {
		fprintf(stderr, "wiascan-helper: cannot load %s: %s\n",
			TIFF_SONAME, lib ? "a function is missing" : dlerror());
		return;
	}
	tiff_loaded = 1;
}

static int tiff_ready(void)
{
	pthread_once(&tiff_once, tiff_load);
	return tiff_loaded;
}

#define TIFF_FWD(ret, name, params, args, fail) \
	ret name params                         \
	{                                       \
		if (!tiff_ready())              \
			return fail;            \
		return tiff.name args;          \
	}
#define TIFF_FWDV(name, params, args)   \
	void name params                \
	{                               \
		if (tiff_ready())       \
			tiff.name args; \
	}
TIFF_FUNCS(TIFF_FWD, TIFF_FWDV)

int TIFFSetField(TIFF *t, uint32_t tag, ...)
{
	va_list ap;
	int ret;

	va_start(ap, tag);
	ret = TIFFVSetField(t, tag, ap);
	va_end(ap);
	return ret;
}

int TIFFGetField(TIFF *t, uint32_t tag, ...)
{
	va_list ap;
	int ret;

	va_start(ap, tag);
	ret = TIFFVGetField(t, tag, ap);
	va_end(ap);
	return ret;
}
