# SPDX-License-Identifier: GPL-2.0
#
# extract-commands.awk: the shell commands shown in one documentation file,
# for tools/testing/docs/test-doc-commands.  Prints one line per command:
#
#   KIND <TAB> LINE <TAB> COMMAND
#
# KIND is "sh" for a line of a block marked as shell (Markdown ```sh,
# reStructuredText ".. code-block:: sh", a man page's .EX/.EE block, the
# .nf/.fi block of its EXAMPLES section, the indented lines after "Build"
# in an example program's comment), "lit" for a line of an
# unmarked reStructuredText literal block ("::"; a command only if its
# first word is a program, which the caller decides), and "bad" for a
# Markdown fence with no language (it could hide a command).
#
# A command goes on after a trailing backslash or an unclosed single quote
# (sh), or on lines indented deeper than its first (lit: a synopsis).
# Lines starting with # are comments; a trailing comment (a # after a
# blank, outside quotes) is cut, and blanks are collapsed.  In a man page
# \- \e \(aq \(dq \~ \& are turned back into the characters they print.

function roff(s) {
	gsub(/\\-/, "-", s)
	gsub(/\\e/, "\\", s)
	gsub(/\\\(aq/, "'", s)
	gsub(/\\\(dq/, "\"", s)
	gsub(/\\~/, " ", s)
	gsub(/\\&/, "", s)
	return s
}

function quotes(s, t) {
	t = s
	return gsub(/'/, "", t)
}

# cut a trailing comment (outside quotes), collapse blanks
function normal(s, i, c, q, out, prev) {
	q = ""
	out = ""
	prev = " "
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (q == "" && c == "#" && prev ~ /[ \t]/)
			break
		if (q == "" && (c == "'" || c == "\""))
			q = c
		else if (q != "" && c == q)
			q = ""
		out = out c
		prev = c
	}
	gsub(/[ \t]+/, " ", out)
	sub(/^ /, "", out)
	sub(/ $/, "", out)
	return out
}

function flush() {
	if (cmd != "")
		print kind "\t" start "\t" normal(cmd)
	cmd = ""
}

function add(kind_, s) {
	sub(/^[ \t]+/, "", s)
	if (cmd == "") {
		if (s == "" || s ~ /^#/)
			return
		start = FNR
		kind = kind_
		cmd = s
	} else {
		cmd = cmd " " s
	}
	if (cmd ~ /\\$/) {
		sub(/[ \t]*\\$/, "", cmd)
		return
	}
	if (quotes(cmd) % 2)
		return
	flush()
}

# a line of an unmarked literal block
function add_lit(s) {
	if (s ~ /^[ \t]*$/) {
		flush()
		return
	}
	if (cmd != "" && indent(s) > lit_indent) {
		sub(/^[ \t]+/, "", s)
		sub(/[ \t]*\\$/, "", s)
		cmd = cmd " " s
		return
	}
	flush()
	lit_indent = indent(s)
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]*\\$/, "", s)
	if (s ~ /^#/)
		return
	start = FNR
	kind = "lit"
	cmd = s
}

function indent(s) {
	match(s, /^[ \t]*/)
	return RLENGTH
}

FNR == 1 {
	type = FILENAME ~ /\.md$/ ? "md" : FILENAME ~ /\.rst$/ ? "rst" : \
		FILENAME ~ /\.[ch]$/ ? "c" : "man"
	inblk = 0
	state = 0
	cmd = ""
}

type == "md" {
	if (!inblk && $0 ~ /^```/) {
		lang = substr($0, 4)
		inblk = 1
		if (lang == "")
			print "bad\t" FNR "\ta fenced block without a language"
		next
	}
	if (inblk && $0 ~ /^```/) {
		inblk = 0
		flush()
		next
	}
	if (inblk && lang ~ /^(sh|shell|bash|console)$/)
		add("sh", $0)
	next
}

# an example program: the indented lines after "Build" in its comment
type == "c" {
	if (build && $0 ~ /^ \*   +[^ ]/) {
		s = $0
		sub(/^ \*/, "", s)
		add("sh", s)
		next
	}
	build = $0 ~ /^ \* Build/
	next
}

type == "man" {
	if ($0 ~ /^\.SH/)
		examples = $0 ~ /EXAMPLE/
	if ($0 ~ /^\.EX/ || (examples && $0 ~ /^\.nf/)) {
		inblk = 1
		next
	}
	if ($0 ~ /^\.EE/ || (examples && $0 ~ /^\.fi/)) {
		inblk = 0
		flush()
		next
	}
	if (inblk && $0 !~ /^\./)
		add("sh", roff($0))
	next
}

# reStructuredText: literal blocks after "::", and code-block directives
type == "rst" && state == 2 {
	if ($0 ~ /^[ \t]*$/) {
		if (blk == "lit")
			flush()
		next
	}
	if (indent($0) > base) {
		if (blk == "lit")
			add_lit($0)
		else if (blk == "sh")
			add("sh", $0)
		next
	}
	flush()
	state = 0
}

type == "rst" && state == 1 {
	if ($0 ~ /^[ \t]*$/) {
		state = 2
		next
	}
	if ($0 ~ /^[ \t]*:[a-z-]+:/)
		next
	state = 0
}

type == "rst" && $0 ~ /^[ \t]*\.\. (code-block|code|sourcecode)::/ {
	lang = $0
	sub(/.*::[ \t]*/, "", lang)
	blk = lang ~ /^(sh|shell|bash|console)$/ ? "sh" : "skip"
	base = indent($0)
	state = 1
	next
}

type == "rst" && $0 ~ /::[ \t]*$/ && $0 !~ /^[ \t]*\.\. / {
	blk = "lit"
	base = indent($0)
	state = 1
	next
}

END {
	flush()
}
