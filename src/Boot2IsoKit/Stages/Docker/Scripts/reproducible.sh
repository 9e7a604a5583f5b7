# Boot2IsoKit: reproducible output for boot2docker's ISO script. The rendered Dockerfile puts this
# right after the script's first line, so the script's own find, cpio and xorriso calls go through
# these functions (POSIX sh: the legacy script runs under /bin/sh, the new one under bash).
# SOURCE_DATE_EPOCH is set by the Dockerfile's RUN line; xorriso >= 1.4.6 takes its volume dates from it.

# Sets the mtime of every entry under the arguments that is newer than SOURCE_DATE_EPOCH to it
# (files written by the build carry the build's clock; older ones are the base image's and stay).
b2ik_clamp_mtimes() {
	command find "$@" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

# The file list in byte order, not in the order the storage driver happens to return.
find() {
	command find "$@" | LC_ALL=C sort
}

# Archiving: the mtimes of what it packs (the current directory) clamped, inode and device numbers
# renumbered (--reproducible, cpio >= 2.12; older cpio gets a warning and archives as before).
cpio() {
	case " $* " in
	*" -o"* | *" --create "*)
		b2ik_clamp_mtimes .
		# grep reads all of the help (not -q): an early exit would fail the pipe under pipefail.
		if command cpio --help 2>&1 | grep -e --reproducible >/dev/null; then
			command cpio --reproducible "$@"
		else
			echo "b2ik: this cpio has no --reproducible: the initrd's inode numbers will differ between builds" >&2
			command cpio "$@"
		fi
		;;
	*) command cpio "$@" ;;
	esac
}

# The ISO tree: the initrd the script just wrote (and any other new file) gets the fixed date too.
xorriso() {
	b2ik_clamp_mtimes /tmp/iso
	command xorriso "$@"
}

