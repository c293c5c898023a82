// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic output files: NAME.part while writing, NAME only once complete,
 * never replacing without force, never through a symlink, nothing left
 * behind on failure, and write errors (file size limit, full disk)
 * reported as such.
 */
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "kselftest_harness.h"

#include "outfile.h"
#include "sink.h"
#include "stopmsg.h"
#include "test_util.h"

FIXTURE(out)
{
	char dir[PATH_MAX];
	char file[PATH_MAX + 16];
	char part[PATH_MAX + 32];
	char target[PATH_MAX + 16];
};

FIXTURE_SETUP(out)
{
	ASSERT_EQ(0, tu_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->file, sizeof(self->file), "%s/scan.raw", self->dir);
	snprintf(self->part, sizeof(self->part), "%s.part", self->file);
	snprintf(self->target, sizeof(self->target), "%s/target", self->dir);
}

FIXTURE_TEARDOWN(out)
{
	tu_rmtree(self->dir);
}

/* The second signal's message as published, into @buf */
static const char *stop_text(const struct stop_msg *m, char *buf, size_t len)
{
	size_t n;
	const char *s = stop_msg_get(m, &n);

	snprintf(buf, len, "%.*s", (int)n, s);
	return buf;
}

TEST_F(out, stop_msg_says_d_raw_part_then_d_raw_is_kept_after_the_rename)
{
	static struct stop_msg m;
	char want[3 * PATH_MAX], got[sizeof(m.buf[0])];
	struct outfile of;

	stop_msg_init(&m, "wiascan-helper", STOP_MSG_FILE, self->file);
	wias_outfile_set_notify(stop_msg_notify, &m);
	EXPECT_STREQ("wiascan-helper: stopped at once: nothing left\n",
		     stop_text(&m, got, sizeof(got)));
	ASSERT_EQ(0, wias_outfile_create(&of, self->file, false));
	snprintf(want, sizeof(want),
		 "wiascan-helper: stopped at once: %s left as it is\n",
		 self->part);
	EXPECT_STREQ(want, stop_text(&m, got, sizeof(got)));
	ASSERT_EQ(0, wias_outfile_commit(&of));
	snprintf(want, sizeof(want),
		 "wiascan-helper: stopped at once: %s is kept\n", self->file);
	EXPECT_STREQ(want, stop_text(&m, got, sizeof(got)));
	wias_outfile_set_notify(NULL, NULL);
}

TEST_F(out, stop_msg_of_a_batch_names_b_1_and_b_2_kept_and_b_3_tif_part)
{
	static struct stop_msg m;
	char pattern[PATH_MAX + 16], name[PATH_MAX + 16];
	char want[4 * PATH_MAX], got[sizeof(m.buf[0])];
	struct outfile of;
	int i;

	snprintf(pattern, sizeof(pattern), "%s/b-%%d.tif", self->dir);
	stop_msg_init(&m, "wiascan-helper", STOP_MSG_BATCH, pattern);
	wias_outfile_set_notify(stop_msg_notify, &m);
	EXPECT_STREQ("wiascan-helper: stopped at once: no file was completed\n",
		     stop_text(&m, got, sizeof(got)));
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "%s/b-%d.tif", self->dir, i);
		ASSERT_EQ(0, wias_outfile_create(&of, name, false));
		if (i < 3)
			ASSERT_EQ(0, wias_outfile_commit(&of));
	}
	snprintf(
		want, sizeof(want),
		"wiascan-helper: stopped at once: %s/b-1.tif and %s/b-2.tif are kept; %s/b-3.tif.part left as it is\n",
		self->dir, self->dir, self->dir);
	EXPECT_STREQ(want, stop_text(&m, got, sizeof(got)));
	/* the unfinished page removed: no .part is named */
	wias_outfile_discard(&of);
	snprintf(
		want, sizeof(want),
		"wiascan-helper: stopped at once: %s/b-1.tif and %s/b-2.tif are kept\n",
		self->dir, self->dir);
	EXPECT_STREQ(want, stop_text(&m, got, sizeof(got)));
	wias_outfile_set_notify(NULL, NULL);
}

TEST_F(out, data_goes_to_part_and_gets_its_name_only_on_commit)
{
	struct outfile of;
	size_t len;
	char *got;

	ASSERT_EQ(0, wias_outfile_create(&of, self->file, false));
	EXPECT_TRUE(tu_exists(self->part));
	EXPECT_FALSE(tu_exists(self->file));
	ASSERT_EQ(0, wias_outfile_write(&of, "hello ", 6));
	ASSERT_EQ(0, wias_outfile_write(&of, "world", 5));
	EXPECT_EQ(11, of.bytes);
	EXPECT_FALSE(tu_exists(self->file));
	ASSERT_EQ(0, wias_outfile_commit(&of));
	EXPECT_FALSE(tu_exists(self->part));
	got = tu_read_file(self->file, &len);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(11, len);
	EXPECT_STREQ("hello world", got);
	free(got);
}

TEST_F(out, mode_is_0666_less_the_umask)
{
	struct outfile of;
	struct stat st;

	umask(027);
	ASSERT_EQ(0, wias_outfile_create(&of, self->file, false));
	ASSERT_EQ(0, wias_outfile_commit(&of));
	ASSERT_EQ(0, stat(self->file, &st));
	EXPECT_EQ(0640, st.st_mode & 07777);
	EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(out, existing_file_is_refused_without_force_and_left_alone)
{
	struct outfile of;
	char *got;

	ASSERT_EQ(0, tu_write_file(self->file, "old", 3));
	EXPECT_EQ(-EEXIST, wias_outfile_check(self->file, false));
	EXPECT_EQ(-EEXIST, wias_outfile_create(&of, self->file, false));
	EXPECT_FALSE(tu_exists(self->part));
	got = tu_read_file(self->file, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("old", got);
	free(got);
}

TEST_F(out, force_replaces_an_existing_file)
{
	struct outfile of;
	char *got;

	ASSERT_EQ(0, tu_write_file(self->file, "old contents", 12));
	EXPECT_EQ(0, wias_outfile_check(self->file, true));
	ASSERT_EQ(0, wias_outfile_create(&of, self->file, true));
	ASSERT_EQ(0, wias_outfile_write(&of, "new", 3));
	ASSERT_EQ(0, wias_outfile_commit(&of));
	got = tu_read_file(self->file, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("new", got);
	free(got);
}

TEST_F(out, symlink_at_the_path_is_refused_without_force)
{
	struct outfile of;
	char *got;

	ASSERT_EQ(0, tu_write_file(self->target, "target", 6));
	ASSERT_EQ(0, symlink(self->target, self->file));
	EXPECT_EQ(-EEXIST, wias_outfile_create(&of, self->file, false));
	got = tu_read_file(self->target, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("target", got);
	free(got);
}

TEST_F(out, dangling_symlink_at_the_path_counts_as_existing)
{
	struct outfile of;

	ASSERT_EQ(0, symlink(self->target, self->file));
	EXPECT_EQ(-EEXIST, wias_outfile_check(self->file, false));
	EXPECT_EQ(-EEXIST, wias_outfile_create(&of, self->file, false));
	EXPECT_FALSE(tu_exists(self->target));
}

TEST_F(out, force_replaces_the_symlink_itself_not_its_target)
{
	struct outfile of;
	struct stat st;
	char *got;

	ASSERT_EQ(0, tu_write_file(self->target, "target", 6));
	ASSERT_EQ(0, symlink(self->target, self->file));
	ASSERT_EQ(0, wias_outfile_create(&of, self->file, true));
	ASSERT_EQ(0, wias_outfile_write(&of, "scan", 4));
	ASSERT_EQ(0, wias_outfile_commit(&of));
	ASSERT_EQ(0, lstat(self->file, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	got = tu_read_file(self->target, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("target", got);
	free(got);
}

TEST_F(out, symlink_at_the_part_path_is_never_followed)
{
	struct outfile of;
	char *got;

	ASSERT_EQ(0, tu_write_file(self->target, "target", 6));
	ASSERT_EQ(0, symlink(self->target, self->part));
	EXPECT_EQ(-EEXIST, wias_outfile_create(&of, self->file, false));
	/* still a link to the untouched target: not ours to remove */
	EXPECT_TRUE(tu_exists(self->part));
	ASSERT_EQ(0, wias_outfile_create(&of, self->file, true));
	ASSERT_EQ(0, wias_outfile_write(&of, "scan", 4));
	ASSERT_EQ(0, wias_outfile_commit(&of));
	got = tu_read_file(self->target, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("target", got);
	free(got);
	got = tu_read_file(self->file, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("scan", got);
	free(got);
}

TEST_F(out, a_stale_part_is_kept_without_force)
{
	struct outfile of;
	char *got;

	ASSERT_EQ(0, tu_write_file(self->part, "earlier run", 11));
	EXPECT_EQ(-EEXIST, wias_outfile_create(&of, self->file, false));
	got = tu_read_file(self->part, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("earlier run", got);
	free(got);
}

TEST_F(out, a_file_appearing_while_scanning_is_not_replaced)
{
	struct outfile of;
	char *got;

	ASSERT_EQ(0, wias_outfile_create(&of, self->file, false));
	ASSERT_EQ(0, wias_outfile_write(&of, "scan", 4));
	ASSERT_EQ(0, tu_write_file(self->file, "someone else", 12));
	EXPECT_EQ(-EEXIST, wias_outfile_commit(&of));
	got = tu_read_file(self->file, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("someone else", got);
	free(got);
	EXPECT_FALSE(tu_exists(self->part));
}

TEST_F(out, discard_removes_the_part_and_creates_nothing)
{
	struct outfile of;

	ASSERT_EQ(0, wias_outfile_create(&of, self->file, false));
	ASSERT_EQ(0, wias_outfile_write(&of, "partial", 7));
	wias_outfile_discard(&of);
	EXPECT_FALSE(tu_exists(self->part));
	EXPECT_FALSE(tu_exists(self->file));
}

TEST_F(out, relative_names_are_created_in_the_current_directory)
{
	struct outfile of;
	char path[PATH_MAX + 16];

	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, wias_outfile_create(&of, "rel.raw", false));
	ASSERT_EQ(0, wias_outfile_commit(&of));
	snprintf(path, sizeof(path), "%s/rel.raw", self->dir);
	EXPECT_TRUE(tu_exists(path));
}

TEST_F(out, bad_paths_fail_cleanly)
{
	struct outfile of;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/missing/scan.raw", self->dir);
	EXPECT_EQ(-ENOENT, wias_outfile_create(&of, path, false));
	snprintf(path, sizeof(path), "%s/", self->dir);
	EXPECT_EQ(-EISDIR, wias_outfile_create(&of, path, false));
	EXPECT_EQ(-EISDIR, wias_outfile_check(path, true));
}

TEST_F(out, file_size_limit_is_reported_as_efbig)
{
	static char block[8192];
	struct rlimit rl = { 4096, 4096 };
	struct outfile of;

	/* the harness runs each test in its own process: the limit stays here */
	signal(SIGXFSZ, SIG_IGN);
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &rl));
	ASSERT_EQ(0, wias_outfile_create(&of, self->file, false));
	EXPECT_EQ(-EFBIG, wias_outfile_write(&of, block, sizeof(block)));
	EXPECT_EQ(4096,
		  of.bytes); /* the short write was counted, then the error */
	wias_outfile_discard(&of);
	EXPECT_FALSE(tu_exists(self->part));
}

TEST_F(out, full_disk_is_reported_by_the_raw_sink_and_nothing_is_left)
{
	static char block[65536];
	struct sink_options opt = { .format = SINK_FORMAT_RAW };
	struct wia_error err;
	struct sink *sink;
	char mnt[PATH_MAX + 8], path[PATH_MAX + 64];
	int i, ret = 0;

	snprintf(mnt, sizeof(mnt), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(mnt, 0700));
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=256k"))
		SKIP(return, "cannot mount a small tmpfs here (%s)",
			   strerror(errno));
	snprintf(path, sizeof(path), "%s/scan.raw", mnt);
	opt.path = path;
	memset(&err, 0, sizeof(err));
	ASSERT_EQ(0, wias_sink_raw_open(&opt, &err, &sink));
	ASSERT_EQ(0, sink->ops->begin_page(sink, 0, NULL));
	for (i = 0; i < 16 && !ret; i++)
		ret = sink->ops->write(sink, block, sizeof(block));
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(5, wias_werr_exit_code(&err));
	EXPECT_NE(NULL, strstr(err.what, "scan.raw: write"));
	sink->ops->abort(sink);
	EXPECT_FALSE(tu_exists(path));
	snprintf(path, sizeof(path), "%s/scan.raw.part", mnt);
	EXPECT_FALSE(tu_exists(path));
	umount(mnt);
}

TEST_HARNESS_MAIN
