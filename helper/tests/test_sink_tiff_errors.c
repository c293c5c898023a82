// SPDX-License-Identifier: GPL-2.0
/*
 * How the TIFF sink reports a failure of its writer or of an encoder:
 * which kind of error, so which exit code, and which text.  The file is
 * included so its static tiff_report() can be called on a sink built by
 * hand; the failures themselves (a full disk, an encoder out of memory)
 * are driven end to end by test_tiff and test_tiff_pipeline.
 */
#include "kselftest_harness.h"

#include "../lib/sink_tiff.c" // NOLINT(bugprone-suspicious-include)
#include "exit_codes.h"

FIXTURE(report)
{
	struct sink_tiff t;
	struct wia_error err;
};

FIXTURE_SETUP(report)
{
	memset(&self->t, 0, sizeof(self->t));
	memset(&self->err, 0, sizeof(self->err));
	self->t.base.err = &self->err;
	self->t.opt.path = "scan.tif";
}

FIXTURE_TEARDOWN(report)
{
}

/* An encoder out of memory: not the output file's fault */
TEST_F(report, enomem_is_other)
{
	EXPECT_EQ(-ENOMEM, tiff_report(&self->t, -ENOMEM));
	EXPECT_EQ(1, self->err.set);
	EXPECT_EQ(WERR_OTHER, self->err.kind);
	EXPECT_EQ(-ENOMEM, self->err.err);
	EXPECT_STREQ("scan.tif: compress", self->err.what);
	EXPECT_EQ(WIASCAN_EXIT_ERROR, wias_werr_exit_code(&self->err));
}

/* A full disk is the output's */
TEST_F(report, enospc_is_output)
{
	EXPECT_EQ(-ENOSPC, tiff_report(&self->t, -ENOSPC));
	EXPECT_EQ(WERR_OUTPUT, self->err.kind);
	EXPECT_STREQ("scan.tif: write", self->err.what);
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, wias_werr_exit_code(&self->err));
}

/* libtiff's own message replaces "Input/output error" */
TEST_F(report, eio_takes_libtiff_message)
{
	strcpy(self->t.wmsg, "TIFFWriteDirectory: bad tag");
	EXPECT_EQ(-EIO, tiff_report(&self->t, -EIO));
	EXPECT_EQ(WERR_OUTPUT, self->err.kind);
	EXPECT_STREQ("TIFFWriteDirectory: bad tag", self->err.why);
}

/* classic TIFF's 4 GiB limit says how to get past it */
TEST_F(report, classic_limit_says_bigtiff)
{
	self->t.classic_full = true;
	EXPECT_EQ(-EFBIG, tiff_report(&self->t, -EFBIG));
	EXPECT_EQ(WERR_OUTPUT, self->err.kind);
	EXPECT_STREQ("the 4 GiB limit of classic TIFF (use --bigtiff=yes)",
		     self->err.why);
}

/* a batch's file: the page's own name, not the pattern */
TEST_F(report, batch_names_the_page_file)
{
	self->t.opt.path = NULL;
	self->t.opt.batch = "page-%03u.tif";
	strcpy(self->t.wpath, "page-002.tif");
	tiff_report(&self->t, -ENOSPC);
	EXPECT_STREQ("page-002.tif: write", self->err.what);
}

TEST_HARNESS_MAIN
