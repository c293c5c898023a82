// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: parsing into struct cli_args, and the wiascan-helper
 * binary's messages and exit codes for what needs no scanner (usage, an
 * existing output, a missing device, `list` over a fake sysfs).
 */
#include "kselftest_harness.h"

#include "cli.h"
#include "exit_codes.h"
#include "test_util.h"

#define ARGV(...) ((char *[]) { "wiascan-helper", __VA_ARGS__, NULL })
#define ARGC(v)                 \
	({                      \
		int _n = 0;     \
		while ((v)[_n]) \
			_n++;   \
		_n;             \
	})

static int parse(char **argv, struct cli_args *a, struct wia_error *err)
{
	memset(err, 0, sizeof(*err));
	return cli_parse(ARGC(argv), argv, a, err);
}

TEST(a_full_scan_command_line_parses)
{
	char **argv = ARGV("scan", "-d", "/dev/wiascan3", "--mode", "color",
			   "--resolution", "300", "--size", "letter",
			   "--source", "adf", "--format", "raw", "-o",
			   "out.raw", "--force", "--timeout", "5000");
	struct wia_error err;
	struct cli_args a;

	ASSERT_EQ(0, parse(argv, &a, &err));
	EXPECT_EQ(CLI_SCAN, a.cmd);
	EXPECT_STREQ("/dev/wiascan3", a.device);
	EXPECT_EQ(SCAN_MODE_COLOR, a.req.mode);
	EXPECT_EQ(300, a.req.dpi);
	EXPECT_EQ(2550, a.req.width_px);
	EXPECT_EQ(3300, a.req.height_px);
	EXPECT_EQ(SCAN_SOURCE_ADF, a.req.source);
	EXPECT_EQ(SINK_FORMAT_RAW, a.format);
	EXPECT_STREQ("out.raw", a.output);
	EXPECT_TRUE(a.force);
	EXPECT_EQ(5000, a.timeout_ms);
}

TEST(short_options_mean_the_same)
{
	char **argv = ARGV("scan", "-d", "/dev/x", "-m", "lineart", "-r", "50",
			   "-s", "a4", "-S", "flatbed", "-F", "raw", "-o", "o",
			   "-f", "-t", "10", "-v");
	struct wia_error err;
	struct cli_args a;

	ASSERT_EQ(0, parse(argv, &a, &err));
	EXPECT_EQ(SCAN_MODE_LINEART, a.req.mode);
	EXPECT_EQ(413, a.req.width_px);
	EXPECT_EQ(585, a.req.height_px);
	EXPECT_EQ(SCAN_SOURCE_FLATBED, a.req.source);
	EXPECT_TRUE(a.force);
	EXPECT_TRUE(a.verbose);
	EXPECT_EQ(10, a.timeout_ms);
}

TEST(the_size_is_resolved_at_the_final_resolution)
{
	/* --size before --resolution still uses the resolution given later */
	char **argv = ARGV("scan", "-s", "a4", "-r", "300", "-o", "o");
	struct wia_error err;
	struct cli_args a;

	ASSERT_EQ(0, parse(argv, &a, &err));
	EXPECT_EQ(2480, a.req.width_px);
	EXPECT_EQ(3508, a.req.height_px);
}

TEST(defaults_are_documented_ones)
{
	struct wia_error err;
	struct cli_args a;

	ASSERT_EQ(0, parse(ARGV("scan", "-o", "o"), &a, &err));
	EXPECT_STREQ(CLI_DEFAULT_DEVICE, a.device);
	EXPECT_EQ(SCAN_MODE_GRAY, a.req.mode);
	EXPECT_EQ(150, a.req.dpi);
	EXPECT_EQ(SCAN_SOURCE_FLATBED, a.req.source);
	EXPECT_EQ(1240, a.req.width_px);
	EXPECT_FALSE(a.force);
}

TEST(unknown_length_pixels_need_the_adf)
{
	struct wia_error err;
	struct cli_args a;

	EXPECT_EQ(0, parse(ARGV("scan", "-s", "800x0", "-S", "adf", "-o", "o"),
			   &a, &err));
	EXPECT_EQ(800, a.req.width_px);
	EXPECT_EQ(0, a.req.height_px);
	EXPECT_NE(0,
		  parse(ARGV("scan", "-s", "800x0", "-S", "flatbed", "-o", "o"),
			&a, &err));
	EXPECT_EQ(WIASCAN_EXIT_USAGE, wias_werr_exit_code(&err));
	EXPECT_NE(NULL, strstr(err.why, "--source adf"));
}

TEST(bad_command_lines_are_usage_errors)
{
	char **bad[] = {
		ARGV("scan"), /* no -o */
		ARGV("scan", "-o", "o", "-m", "grey"),
		ARGV("scan", "-o", "o", "-r", "0"),
		ARGV("scan", "-o", "o", "-r", "70000"),
		ARGV("scan", "-o", "o", "-s", "b5"),
		ARGV("scan", "-o", "o", "-S", "tray"),
		ARGV("scan", "-o", "o", "-F", "png"),
		ARGV("scan", "-o", "o", "-F", "tiff", "-m", "lineart", "-c",
		     "jpeg"),
		ARGV("scan", "-o", "o", "-F", "tiff", "-m", "gray", "-c", "g4"),
		ARGV("scan", "-o", "o", "-F", "tiff", "-c", "zstd"),
		ARGV("scan", "-o", "o", "-c",
		     "lzw"), /* raw has no compression */
		ARGV("scan", "-o", "o", "-F", "tiff", "-q", "0"),
		ARGV("scan", "-o", "o", "-F", "tiff", "--bigtiff", "maybe"),
		ARGV("scan", "-o", "o", "-F", "tiff", "--deflate-level", "0"),
		ARGV("scan", "-o", "o", "-F", "tiff", "--deflate-level", "10"),
		ARGV("scan", "-o", "o", "-F", "tiff", "--workers", "0"),
		ARGV("scan", "-o", "o", "-F", "tiff", "--workers", "65"),
		ARGV("scan", "-o", "o", "-F", "tiff", "--workers", "2x"),
		ARGV("scan", "-o", "o", "-F", "tiff", "--jpeg-color", "cmyk"),
		ARGV("scan", "-o", "o", "--progress", "loud"),
		ARGV("scan", "-o", "o", "-n", "0"),
		ARGV("scan", "--batch", "p%s.tif"), /* bad batch patterns */
		ARGV("scan", "--batch", "p%d-%d.tif"),
		ARGV("scan", "--batch", "p.tif"),
		ARGV("scan", "--batch", "p%.tif"),
		ARGV("scan", "--batch", "p%ld.tif"),
		ARGV("scan", "--batch", "p%x.tif"),
		ARGV("scan", "--batch", "p%-3d.tif"),
		ARGV("scan", "--batch", "p%123d.tif"),
		ARGV("scan", "--batch", "%n%d"),
		ARGV("scan", "--batch", ""),
		ARGV("scan", "--batch", "p%d.tif", "-o", "o"),
		ARGV("scan", "--batch", "p%d.tif", "-F", "raw"),
		ARGV("scan", "--batch", "p%d.tif", "--batch-increment", "0"),
		ARGV("scan", "--batch", "p%d.tif", "--batch-start", "-1"),
		ARGV("repair"),
		ARGV("repair", "x.tif"), /* not .part: needs -o */
		ARGV("repair", "a.part", "b.part"),
		ARGV("scan", "-o", "o", "-t", "0"),
		ARGV("scan", "-o", "o", "--bogus"),
		ARGV("scan", "-o", "o", "extra"),
		ARGV("scan", "-o", "o", "-r"),
		ARGV("scan", "-o", ""),
		ARGV("scan", "-o", "o", "--json"), /* an info option */
		ARGV("list", "-d", "/dev/x"),
		ARGV("info", "-o", "o"),
		ARGV("frobnicate"),
		ARGV("--version", "extra"),
	};
	struct wia_error err;
	struct cli_args a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, parse(bad[i], &a, &err)) TH_LOG("case %zu",
								   i);
		EXPECT_EQ(WIASCAN_EXIT_USAGE,
			  wias_werr_exit_code(&err)) TH_LOG("case %zu", i);
	}
}

TEST(tiff_batch_and_repair_options_parse)
{
	struct wia_error err;
	struct cli_args a;

	ASSERT_EQ(0, parse(ARGV("scan", "-m", "color", "-F", "tiff", "-c",
				"jpeg", "-q", "90", "--bigtiff", "yes", "-n",
				"3", "--progress", "json", "-o", "x.tif"),
			   &a, &err));
	EXPECT_EQ(SINK_FORMAT_TIFF, a.format);
	EXPECT_EQ(SINK_COMP_JPEG, a.compression);
	EXPECT_EQ(90, a.jpeg_quality);
	EXPECT_EQ(SINK_BIGTIFF_YES, a.bigtiff);
	EXPECT_EQ(3, a.max_pages);
	EXPECT_EQ(PROGRESS_JSON, a.progress);
	/* defaults: 0 = the library's (deflate 6, online CPUs), YCbCr */
	EXPECT_EQ(0, a.deflate_level);
	EXPECT_EQ(0, a.workers);
	EXPECT_EQ(SINK_JPEG_YCBCR, a.jpeg_color);
	ASSERT_EQ(0, parse(ARGV("scan", "-F", "tiff", "-c", "deflate",
				"--deflate-level", "9", "--workers", "64",
				"--jpeg-color", "rgb", "-o", "x.tif"),
			   &a, &err));
	EXPECT_EQ(9, a.deflate_level);
	EXPECT_EQ(64, a.workers);
	EXPECT_EQ(SINK_JPEG_RGB, a.jpeg_color);
	ASSERT_EQ(0, parse(ARGV("scan", "-m", "lineart", "-c", "g4", "--batch",
				"p%03d%%.tif", "--batch-start", "7",
				"--batch-increment", "-2"),
			   &a, &err));
	EXPECT_EQ(SINK_FORMAT_TIFF, a.format); /* --batch implies TIFF */
	EXPECT_EQ(7, a.batch_start);
	EXPECT_EQ(-2, a.batch_increment);
	ASSERT_EQ(0, parse(ARGV("repair", "dir/scan.tif.part"), &a, &err));
	EXPECT_STREQ("dir/scan.tif.part", a.input);
	EXPECT_STREQ("dir/scan.tif", a.output);
	free(a.repair_output);
}

TEST(batch_names_fill_in_only_the_counter)
{
	char name[64];

	ASSERT_EQ(0, wias_batch_name("p%03d%%.tif", 7, name, sizeof(name)));
	EXPECT_STREQ("p007%.tif", name);
	ASSERT_EQ(0, wias_batch_name("%d", 12345, name, sizeof(name)));
	EXPECT_STREQ("12345", name);
	ASSERT_EQ(0, wias_batch_name("a%4db", 5, name, sizeof(name)));
	EXPECT_STREQ("a   5b", name);
	EXPECT_EQ(-ENAMETOOLONG, wias_batch_name("%d", 123456, name, 4));
	EXPECT_EQ(-EINVAL, wias_batch_name("%s%d", 1, name, sizeof(name)));
}

TEST(info_and_list_parse)
{
	struct wia_error err;
	struct cli_args a;

	ASSERT_EQ(0, parse(ARGV("info", "--json", "-d", "/dev/wiascan1"), &a,
			   &err));
	EXPECT_EQ(CLI_INFO, a.cmd);
	EXPECT_TRUE(a.json);
	EXPECT_STREQ("/dev/wiascan1", a.device);
	ASSERT_EQ(0, parse(ARGV("list"), &a, &err));
	EXPECT_EQ(CLI_LIST, a.cmd);
	ASSERT_EQ(0, parse(ARGV("scan", "--help"), &a, &err));
	EXPECT_EQ(CLI_HELP, a.cmd);
}

FIXTURE(bin)
{
	char dir[PATH_MAX];
	char file[PATH_MAX + 16];
	char out[4096];
	char err[4096];
};

FIXTURE_SETUP(bin)
{
	ASSERT_EQ(0, tu_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->file, sizeof(self->file), "%s/scan.raw", self->dir);
}

FIXTURE_TEARDOWN(bin)
{
	tu_rmtree(self->dir);
}

TEST_F(bin, help_documents_commands_and_exit_codes)
{
	ASSERT_EQ(0, tu_run_helper(ARGV("--help"), self->out, self->err,
				   sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "--resolution"));
	EXPECT_NE(NULL, strstr(self->out, "Exit codes:"));
	EXPECT_NE(NULL, strstr(self->out, " 10  double feed"));
	EXPECT_STREQ("", self->err);
}

TEST_F(bin, help_says_pages_n_counts_sides_and_the_default_source)
{
	ASSERT_EQ(0, tu_run_helper(ARGV("--help"), self->out, self->err,
				   sizeof(self->out)));
	EXPECT_NE(NULL,
		  strstr(self->out,
			 "  -n, --pages N           scan at most N pages (ADF; with adf-duplex\n"
			 "                          a page is a side: N/2 sheets, rounded up)\n"));
	EXPECT_NE(NULL,
		  strstr(self->out,
			 "flatbed, adf or adf-duplex (default: flatbed if\n"
			 "                          the scanner has one, else adf)"));
	EXPECT_EQ(NULL, strstr(self->out, "stop after N pages"));
}

TEST(no_source_leaves_it_to_the_scanner_and_allows_height_0)
{
	struct wia_error err;
	struct cli_args a;

	ASSERT_EQ(0, parse(ARGV("scan", "-s", "150x0", "-o", "o"), &a, &err));
	EXPECT_FALSE(a.source_set);
	EXPECT_EQ(0, a.req.height_px);
	ASSERT_EQ(0,
		  parse(ARGV("scan", "-S", "adf-duplex", "-o", "o"), &a, &err));
	EXPECT_TRUE(a.source_set);
	EXPECT_EQ(SCAN_SOURCE_ADF_DUPLEX, a.req.source);
	EXPECT_EQ(-EINVAL,
		  parse(ARGV("scan", "-S", "flatbed", "-s", "150x0", "-o", "o"),
			&a, &err));
}

TEST_F(bin, repair_of_a_missing_part_says_no_such_file_exit_5)
{
	char part[PATH_MAX + 32], want[PATH_MAX + 128];

	snprintf(part, sizeof(part), "%s/missing.part", self->dir);
	ASSERT_EQ(5, tu_run_helper(ARGV("repair", part), self->out, self->err,
				   sizeof(self->out)));
	snprintf(want, sizeof(want),
		 "wiascan-helper: %s: No such file or directory\n", part);
	EXPECT_STREQ(want, self->err);
}

TEST_F(bin, synth_with_two_short_faults_is_exit_2_naming_short)
{
	ASSERT_EQ(2, tu_run_helper(ARGV("scan", "-d",
					"synth:3/short@0:0/short@1:0", "-F",
					"raw", "-o", self->file),
				   self->out, self->err, sizeof(self->out)));
	EXPECT_STREQ("wiascan-helper: synth:3/short@0:0/short@1:0: a second "
		     "short fault: give each kind of fault once\n",
		     self->err);
	EXPECT_FALSE(tu_exists(self->file));
}

TEST_F(bin, version_prints_one_line)
{
	char *nl;

	ASSERT_EQ(0, tu_run_helper(ARGV("--version"), self->out, self->err,
				   sizeof(self->out)));
	nl = strchr(self->out, '\n');
	EXPECT_EQ(0, strncmp(self->out, "wiascan-helper ", 15));
	ASSERT_NE(NULL, nl);
	EXPECT_EQ('\0', nl[1]);
}

TEST_F(bin, every_command_takes_version)
{
	char *cmds[] = { "scan", "list", "info", "repair" };
	char *flags[] = { "--version", "-V" };
	char want[sizeof(self->out)];
	size_t i, j;

	ASSERT_EQ(0, tu_run_helper(ARGV("--version"), want, self->err,
				   sizeof(want)));
	ASSERT_EQ(0, strncmp(want, "wiascan-helper ", 15));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		for (j = 0; j < ARRAY_SIZE(flags); j++) {
			EXPECT_EQ(0, tu_run_helper(ARGV(cmds[i], flags[j]),
						   self->out, self->err,
						   sizeof(self->out)));
			EXPECT_STREQ(want, self->out);
			EXPECT_STREQ("", self->err);
		}
	}
}

TEST_F(bin, a_usage_error_is_one_line_and_exit_2)
{
	ASSERT_EQ(2,
		  tu_run_helper(ARGV("scan", "-o", self->file, "-m", "sepia"),
				self->out, self->err, sizeof(self->out)));
	EXPECT_STREQ("wiascan-helper: --mode: 'sepia': use lineart, gray or color\n",
		     self->err);
	EXPECT_STREQ("", self->out);
}

TEST_F(bin, an_existing_output_is_exit_5_before_the_device_is_opened)
{
	ASSERT_EQ(0, tu_write_file(self->file, "x", 1));
	ASSERT_EQ(5, tu_run_helper(ARGV("scan", "-d", "/nonexistent/wiascan9",
					"-o", self->file),
				   self->out, self->err, sizeof(self->out)));
	EXPECT_NE(NULL,
		  strstr(self->err, "file exists (use --force to replace it)"));
}

TEST_F(bin, a_missing_device_is_exit_3_and_leaves_no_file)
{
	char part[PATH_MAX + 32];

	ASSERT_EQ(3, tu_run_helper(ARGV("scan", "-d", "/nonexistent/wiascan9",
					"-o", self->file),
				   self->out, self->err, sizeof(self->out)));
	EXPECT_NE(NULL,
		  strstr(self->err,
			 "wiascan-helper: /nonexistent/wiascan9: no such device node"));
	EXPECT_FALSE(tu_exists(self->file));
	snprintf(part, sizeof(part), "%s.part", self->file);
	EXPECT_FALSE(tu_exists(part));
}

TEST_F(bin, a_node_that_is_not_a_scanner_is_exit_3)
{
	ASSERT_EQ(3, tu_run_helper(ARGV("info", "-d", "/dev/null"), self->out,
				   self->err, sizeof(self->out)));
	EXPECT_STREQ("wiascan-helper: /dev/null: not a wiascan device\n",
		     self->err);
	ASSERT_EQ(3, tu_run_helper(ARGV("info", "-d", self->dir), self->out,
				   self->err, sizeof(self->out)));
}

TEST_F(bin, a_missing_value_names_the_option_as_typed_mode_m_resolution)
{
	static const char *const typed[] = { "--mode", "-m", "--resolution",
					     "--timeout", "-t" };
	char want[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(typed); i++) {
		EXPECT_EQ(2, tu_run_helper(ARGV("scan", "-o", self->file,
						(char *)typed[i]),
					   self->out, self->err,
					   sizeof(self->out)));
		snprintf(want, sizeof(want),
			 "wiascan-helper: %s: missing value\n", typed[i]);
		EXPECT_STREQ(want, self->err);
	}
	/* an unknown letter in a cluster after a long option: the letter */
	EXPECT_EQ(2, tu_run_helper(ARGV("scan", "--force", "-vx", "-o", "o"),
				   self->out, self->err, sizeof(self->out)));
	EXPECT_STREQ("wiascan-helper: -x: unknown option\n", self->err);
}

/* The lines of --help's "info options:" section */
static char *help_section(char *help, const char *title)
{
	char *s = strstr(help, title), *end;

	if (!s)
		return NULL;
	end = strstr(s, "\n\n");
	if (end)
		*end = '\0';
	return s;
}

TEST_F(bin, info_timeout_is_in_help_and_in_the_bash_completion)
{
	char cmd[2 * PATH_MAX + 256], *sect;
	const char *helper = getenv("WIASCAN_HELPER");

	ASSERT_EQ(0, tu_run_helper(ARGV("--help"), self->out, self->err,
				   sizeof(self->out)));
	sect = help_section(self->out, "info options:");
	ASSERT_NE(NULL, sect);
	EXPECT_NE(NULL, strstr(sect, "-t, --timeout MS")) TH_LOG("%s", sect);
	/* the completion reads --help: info completes -t and --timeout */
	if (!helper)
		helper = "./wiascan-helper";
	snprintf(cmd, sizeof(cmd),
		 "bash -c '. ../completion/wiascan-helper.bash && "
		 "_wiascan_helper_options %s info' > %s/opts",
		 helper, self->dir);
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd),
		 "grep -qx -- --timeout %s/opts && grep -qx -- -t %s/opts",
		 self->dir, self->dir);
	EXPECT_EQ(0, system(cmd));
}

TEST_F(bin, info_of_synth_3_says_3_sheets_in_text_and_json)
{
	ASSERT_EQ(0, tu_run_helper(ARGV("info", "-d", "synth:3"), self->out,
				   self->err, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "synth:3\n"));
	EXPECT_NE(NULL,
		  strstr(self->out, "  product:          Synthetic Scanner\n"));
	EXPECT_NE(NULL, strstr(self->out, "  sheets:           3\n"));
	EXPECT_NE(NULL, strstr(self->out,
			       "  modes:            lineart gray color\n"));
	EXPECT_STREQ("", self->err);
	ASSERT_EQ(0, tu_run_helper(ARGV("info", "-j", "-d", "synth:3:100"),
				   self->out, self->err, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "\"sheets\":3,\"kib_per_s\":100,"));
	EXPECT_NE(NULL, strstr(self->out, "\"name\":\"synthetic\""));
	EXPECT_EQ(2, tu_run_helper(ARGV("info", "-d", "synth:x"), self->out,
				   self->err, sizeof(self->out)));
}

TEST_F(bin, progress_line_into_a_pipe_has_no_cr_or_escape)
{
	char *argv[] = { "wiascan-helper",
			 "scan",
			 "-d",
			 "synth:3:3000",
			 "-s",
			 "640x1000",
			 "-S",
			 "adf",
			 "--progress",
			 "line",
			 "-o",
			 self->file,
			 NULL };

	ASSERT_EQ(0,
		  tu_run_helper(argv, self->out, self->err, sizeof(self->err)));
	EXPECT_EQ(NULL, strchr(self->err, '\r'));
	EXPECT_EQ(NULL, strchr(self->err, '\033'));
	EXPECT_EQ(0, strncmp(self->err, "page 1  ", 8)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "\n3 pages  1.9 MB  "))
	TH_LOG("%s", self->err);
	EXPECT_EQ('\n', self->err[strlen(self->err) - 1]);
}

TEST_F(bin, an_empty_sheet_2_is_one_warning_and_exit_0)
{
	char *argv[] = { "wiascan-helper",
			 "scan",
			 "-d",
			 "synth:3:0:100/short@1:0",
			 "-s",
			 "640x0",
			 "-S",
			 "adf",
			 "-F",
			 "tiff",
			 "-o",
			 self->file,
			 NULL };

	ASSERT_EQ(0,
		  tu_run_helper(argv, self->out, self->err, sizeof(self->err)));
	EXPECT_STREQ("wiascan-helper: warning: 1 empty sheet not written (sheet 2)\n",
		     self->err);
}

/* One sysfs attribute of the fake USB device at @root/devices/usb1/@port */
static int fake_attr(const char *root, const char *port, const char *attr,
		     const char *value)
{
	char path[PATH_MAX], line[256];

	if (!value)
		return 0;
	snprintf(path, sizeof(path), "%s/devices/usb1/%s/%s", root, port, attr);
	snprintf(line, sizeof(line), "%s\n", value);
	return tu_write_file(path, line, strlen(line));
}

/* A sysfs tree as the kernel lays it out for a bound wiascan interface */
static int fake_scanner(const char *root, const char *name, const char *port,
			const char *vid, const char *pid, const char *mfr,
			const char *product)
{
	char path[PATH_MAX], link[PATH_MAX];
	char cmd[3 * PATH_MAX];

	snprintf(
		cmd, sizeof(cmd),
		"mkdir -p '%s/class/usbmisc' '%s/devices/usb1/%s/%s:1.0/usbmisc/%s'",
		root, root, port, port, name);
	if (system(cmd))
		return -1;
	snprintf(path, sizeof(path),
		 "%s/devices/usb1/%s/%s:1.0/usbmisc/%s/device", root, port,
		 port, name);
	if (symlink("../..", path))
		return -1;
	snprintf(path, sizeof(path), "%s/class/usbmisc/%s", root, name);
	snprintf(link, sizeof(link), "../../devices/usb1/%s/%s:1.0/usbmisc/%s",
		 port, port, name);
	if (symlink(link, path))
		return -1;
	if (fake_attr(root, port, "idVendor", vid) ||
	    fake_attr(root, port, "idProduct", pid) ||
	    fake_attr(root, port, "manufacturer", mfr) ||
	    fake_attr(root, port, "product", product))
		return -1;
	return 0;
}

TEST_F(bin, list_prints_one_line_per_scanner_in_node_order)
{
	char lp[PATH_MAX + 32];

	ASSERT_EQ(0, fake_scanner(self->dir, "wiascan10", "1-3", "04b8", "0142",
				  "SEIKO EPSON", "Perfection"));
	ASSERT_EQ(0, fake_scanner(self->dir, "wiascan2", "1-2", "1209", "0001",
				  "wiascan project", "Reference Scanner"));
	ASSERT_EQ(0, fake_scanner(self->dir, "wiascan0", "1-1", "1209", "0001",
				  NULL, "Reference Scanner"));
	snprintf(lp, sizeof(lp), "%s/class/usbmisc/lp0", self->dir);
	ASSERT_EQ(0, mkdir(lp, 0755));
	ASSERT_EQ(0, setenv("WIASCAN_SYSFS", self->dir, 1));
	ASSERT_EQ(0, tu_run_helper(ARGV("list"), self->out, self->err,
				   sizeof(self->out)));
	EXPECT_STREQ("/dev/wiascan0\t1209:0001\t\tReference Scanner\treference\n"
		     "/dev/wiascan2\t1209:0001\twiascan project\tReference Scanner\treference\n"
		     "/dev/wiascan10\t04b8:0142\tSEIKO EPSON\tPerfection\tnone\n",
		     self->out);
	EXPECT_STREQ("", self->err);
}

/* @port in bus/usb/devices, its interface bound to wiascan if @bound */
static int fake_usb_link(const char *root, const char *port, bool bound)
{
	char path[PATH_MAX], link[PATH_MAX];
	char cmd[3 * PATH_MAX];

	snprintf(
		cmd, sizeof(cmd),
		"mkdir -p '%s/bus/usb/devices' '%s/bus/usb/drivers/wiascan' '%s/devices/usb1/%s/%s:1.0'",
		root, root, root, port, port);
	if (system(cmd))
		return -1;
	snprintf(path, sizeof(path), "%s/bus/usb/devices/%s", root, port);
	snprintf(link, sizeof(link), "../../../devices/usb1/%s", port);
	if (symlink(link, path))
		return -1;
	if (!bound)
		return 0;
	snprintf(path, sizeof(path), "%s/devices/usb1/%s/%s:1.0/driver", root,
		 port, port);
	return symlink("../../../../bus/usb/drivers/wiascan", path);
}

TEST_F(bin,
       list_shows_a_bound_fi7160_as_fujitsu_and_an_unbound_one_as_not_bound)
{
	ASSERT_EQ(0, fake_scanner(self->dir, "wiascan3", "1-4", "04c5", "132e",
				  "FUJITSU", "fi-7160"));
	ASSERT_EQ(0, fake_usb_link(self->dir, "1-4", true));
	ASSERT_EQ(0, fake_usb_link(self->dir, "1-5", false));
	ASSERT_EQ(0, fake_attr(self->dir, "1-5", "idVendor", "04c5"));
	ASSERT_EQ(0, fake_attr(self->dir, "1-5", "idProduct", "132e"));
	ASSERT_EQ(0, fake_attr(self->dir, "1-5", "manufacturer", "FUJITSU"));
	ASSERT_EQ(0, fake_attr(self->dir, "1-5", "product", "fi-7160"));
	ASSERT_EQ(0, setenv("WIASCAN_SYSFS", self->dir, 1));
	ASSERT_EQ(0, setenv("SANE_CONFIG_DIR", self->dir, 1));
	ASSERT_EQ(0, tu_run_helper(ARGV("list"), self->out, self->err,
				   sizeof(self->out)));
	EXPECT_STREQ("/dev/wiascan3\t04c5:132e\tFUJITSU\tfi-7160\tfujitsu\n"
		     "-\t04c5:132e\tFUJITSU\tfi-7160\tfujitsu (not bound: wiascan-helper bind 04c5:132e)\n",
		     self->out);
	EXPECT_STREQ("", self->err);
}

TEST_F(bin, bind_04c5_132e_writes_04c5_132e_to_new_id_and_exits_0)
{
	char path[PATH_MAX + 64], buf[64] = "";
	FILE *f;

	ASSERT_EQ(0, fake_usb_link(self->dir, "1-6", false));
	snprintf(path, sizeof(path), "%s/bus/usb/drivers/wiascan/new_id",
		 self->dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fclose(f);
	ASSERT_EQ(0, setenv("WIASCAN_SYSFS", self->dir, 1));
	ASSERT_EQ(0, tu_run_helper(ARGV("bind", "04c5:132e"), self->out,
				   self->err, sizeof(self->out)));
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("04c5 132e\n", buf);
	EXPECT_STREQ("", self->err);
}

TEST_F(bin, bind_without_the_module_exits_1_saying_not_loaded)
{
	ASSERT_EQ(0, setenv("WIASCAN_SYSFS", self->dir, 1));
	EXPECT_EQ(1, tu_run_helper(ARGV("bind", "04c5:132e"), self->out,
				   self->err, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->err, "wiascan.ko is not loaded"));
}

TEST_F(bin, bind_with_a_bad_id_exits_2)
{
	EXPECT_EQ(2, tu_run_helper(ARGV("bind", "fujitsu"), self->out,
				   self->err, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->err, "not a USB ID"));
}

TEST_F(bin, bind_with_ids_of_bad_shape_exits_2_every_time)
{
	static const char *const bad[] = {
		"04c5:132ez", "04c5:",	    ":132e",
		"104c5:132e", "04c5:1132e", "0:132e",
		"04c5 132e",  "-4c5:132e",  "04c5:-1"
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = tu_run_helper(ARGV("bind", (char *)bad[i]), self->out,
					self->err, sizeof(self->out));

		EXPECT_EQ(2, ret)
		TH_LOG("bind %s", bad[i]);
	}
}

TEST_F(bin, list_shows_an_unbound_04c5_1234_only_when_fujitsu_conf_lists_it)
{
	char path[PATH_MAX + 32];
	static const char conf[] = "# usb 0x04c5 0x1111\n"
				   "usb 0x04c5 0x12345\n"
				   "usb 0x04c5 0x1234\n";

	ASSERT_EQ(0, fake_usb_link(self->dir, "1-7", false));
	ASSERT_EQ(0, fake_attr(self->dir, "1-7", "idVendor", "04c5"));
	ASSERT_EQ(0, fake_attr(self->dir, "1-7", "idProduct", "1234"));
	ASSERT_EQ(0, fake_attr(self->dir, "1-7", "manufacturer", "FUJITSU"));
	ASSERT_EQ(0, fake_attr(self->dir, "1-7", "product", "fi-7180"));
	ASSERT_EQ(0, fake_usb_link(self->dir, "1-8", false));
	ASSERT_EQ(0, fake_attr(self->dir, "1-8", "idVendor", "04c5"));
	ASSERT_EQ(0, fake_attr(self->dir, "1-8", "idProduct", "1111"));
	snprintf(path, sizeof(path), "%s/fujitsu.conf", self->dir);
	ASSERT_EQ(0, tu_write_file(path, conf, strlen(conf)));
	ASSERT_EQ(0, setenv("WIASCAN_SYSFS", self->dir, 1));
	ASSERT_EQ(0, setenv("SANE_CONFIG_DIR", self->dir, 1));
	ASSERT_EQ(0, tu_run_helper(ARGV("list"), self->out, self->err,
				   sizeof(self->out)));
	EXPECT_STREQ("-\t04c5:1234\tFUJITSU\tfi-7180\tfujitsu (not bound: wiascan-helper bind 04c5:1234)\n",
		     self->out);
}

TEST_F(bin, list_without_scanners_prints_nothing_and_succeeds)
{
	ASSERT_EQ(0, setenv("WIASCAN_SYSFS", self->dir, 1));
	ASSERT_EQ(0, tu_run_helper(ARGV("list"), self->out, self->err,
				   sizeof(self->out)));
	EXPECT_STREQ("", self->out);
	EXPECT_STREQ("", self->err);
}

TEST_HARNESS_MAIN
