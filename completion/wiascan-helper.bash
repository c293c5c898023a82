# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# bash completion for wiascan-helper
#
# The commands and options are read from the program's own --help at
# completion time ("Commands:" and "COMMAND options:" sections), so they
# follow the program without a second list to keep up to date; only the
# values of a few options are known here.

# COMPREPLY: the words of $1 that start with $cur
_wiascan_helper_reply()
{
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

_wiascan_helper_help()
{
	"$1" --help 2>/dev/null
}

# Commands: the first word of the lines of the "Commands:" section that
# start with two spaces (deeper lines continue a description).
_wiascan_helper_commands()
{
	_wiascan_helper_help "$1" | awk '
		/^Commands:/ { on = 1; next }
		on && /^[^ ]/ { exit }
		on && /^  [a-z][a-z-]*( |$)/ { print $1 }'
}

# Options of command $2: every -x and --long at the start of the lines of
# the "$2 options:" section (and of an "Options:" section, for options
# common to all commands), and those in brackets on the command's own line
# of "Commands:" ("repair FILE [-o FILE] [-f]").
_wiascan_helper_options()
{
	_wiascan_helper_help "$1" | awk -v sect="$2 options:" -v cmd="$2" '
		/^Commands:/ { cmds = 1; next }
		cmds && /^[^ ]/ { cmds = 0 }
		cmds && $1 == cmd {
			for (i = 2; i <= NF; i++)
				if ($i ~ /^\[--?[A-Za-z]/) {
					w = substr($i, 2)
					sub(/\]$/, "", w)
					print w
				}
		}
		$0 == sect || /^Options:/ { on = 1; next }
		on && /^[^ ]/ { on = 0 }
		on && /^ +-/ {
			for (i = 1; i <= NF; i++) {
				w = $i
				sub(/,$/, "", w)
				if (w ~ /^--?[A-Za-z]/) {
					sub(/=.*/, "", w)
					print w
				} else {
					break
				}
			}
		}'
	echo --help
}

_wiascan_helper()
{
	local cur prev words cword cmd i
	_init_completion -s || return

	cmd=
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} != -* ]]; then
			cmd=${words[i]}
			break
		fi
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_wiascan_helper_reply '--help --version'
		else
			_wiascan_helper_reply "$(_wiascan_helper_commands "$1")"
		fi
		return
	fi

	case $prev in
	-d | --device)
		_wiascan_helper_reply "$(ls -d /dev/wiascan[0-9]* /dev/wiascan/by-*/* 2>/dev/null)"
		return
		;;
	-m | --mode)
		_wiascan_helper_reply 'lineart gray color'
		return
		;;
	-S | --source)
		_wiascan_helper_reply 'flatbed adf adf-duplex'
		return
		;;
	-s | --size)
		_wiascan_helper_reply 'a4 letter'
		return
		;;
	-F | --format)
		_wiascan_helper_reply 'raw tiff'
		return
		;;
	-c | --compression)
		_wiascan_helper_reply 'none packbits lzw deflate jpeg g4'
		return
		;;
	--bigtiff)
		_wiascan_helper_reply 'auto yes no'
		return
		;;
	--jpeg-color)
		_wiascan_helper_reply 'ycbcr rgb'
		return
		;;
	--progress)
		_wiascan_helper_reply 'auto line json none'
		return
		;;
	-o | --output | -b | --batch)
		_filedir
		return
		;;
	-r | --resolution | -t | --timeout | -n | --pages | -q | --jpeg-quality | \
		--deflate-level | --workers | --batch-start | --batch-increment | --*=*)
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		_wiascan_helper_reply "$(_wiascan_helper_options "$1" "$cmd")"
	elif [[ $cmd == repair ]]; then
		_filedir
	fi
} &&
	complete -F _wiascan_helper wiascan-helper
