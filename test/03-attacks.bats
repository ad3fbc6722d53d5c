#!/usr/bin/env bats
# Hostile annotations: the hook runs as root and writes where the
# annotation points. Every attack is refused before the container starts,
# and its target is left untouched.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	[[ $(id -u) == 0 ]] || skip "requires root"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/out"
	cp /etc/passwd "$T/victim"
}

# refused VALUE PATTERN: the container does not start, the error matches.
refused() {
	run ! trace "$1" "$BUSYBOX" true
	[[ $output == *"$2"* ]] || { echo "output lacks '$2': $output"; return 1; }
}

victim_intact() {
	cmp /etc/passwd "$T/victim"
}

@test "of: a symlink to a file outside" {
	ln -s "$T/victim" "$T/out/link.json"
	refused "of:$T/out/link.json" "symbolic link"
	victim_intact
	[[ -L $T/out/link.json ]]
}

@test "of: through a symlinked directory" {
	mkdir "$T/elsewhere"
	ln -s "$T/elsewhere" "$T/out/dir"
	refused "of:$T/out/dir/x.json" "symbolic link"
	[[ -z $(ls -A "$T/elsewhere") ]]
}

@test "of: a directory" {
	mkdir "$T/out/adir"
	refused "of:$T/out/adir" "not a regular file"
	[[ -d $T/out/adir && -z $(ls -A "$T/out/adir") ]]
}

@test "of: a FIFO" {
	mkfifo "$T/out/fifo"
	refused "of:$T/out/fifo" "not a regular file"
	[[ -p $T/out/fifo ]]
}

@test "of: a file in /proc" {
	local before
	before=$(cat /proc/sys/kernel/core_pattern)
	refused "of:/proc/sys/kernel/core_pattern" "inside a system directory /proc"
	[[ $(cat /proc/sys/kernel/core_pattern) == "$before" ]]
}

@test "of: a file in /sys" {
	refused "of:/sys/kernel/uevent_helper" "inside a system directory /sys"
}

@test "if: a FIFO does not hang the hook" {
	mkfifo "$T/in.fifo"
	refused "if:$T/in.fifo;of:$T/out/x.json" "not a regular file"
	[[ -z $(ls -A "$T/out") ]]
}

@test "if: /dev/zero" {
	refused "if:/dev/zero;of:$T/out/x.json" "not a regular file"
	[[ -z $(ls -A "$T/out") ]]
}

@test "if: a 1 GiB file" {
	truncate -s 1G "$T/huge.json"
	refused "if:$T/huge.json;of:$T/out/x.json" "file too large"
	[[ -z $(ls -A "$T/out") ]]
}

@test "if: JSON with unknown fields or trailing data" {
	echo '{"defaultAction":"SCMP_ACT_ERRNO","bogus":1}' >"$T/unknown.json"
	refused "if:$T/unknown.json;of:$T/out/x.json" "bogus"
	echo '{"defaultAction":"SCMP_ACT_ERRNO"} {}' >"$T/trailing.json"
	refused "if:$T/trailing.json;of:$T/out/x.json" "trailing.json"
	[[ -z $(ls -A "$T/out") ]]
}

@test "--allow-dir refuses outputs elsewhere" {
	local hooks=$T/hooks.d
	mkdir -p "$T/allowed"
	hooks_dir_with "$hooks" --allow-dir "$T/allowed"
	run ! podman_run_in "$hooks" --rm \
		--annotation "$ANNOTATION=of:$T/out/x.json" "$BUSYBOX" true
	[[ $output == *"outside the allowed directories"* ]]
	[[ -z $(ls -A "$T/out") ]]
	run podman_run_in "$hooks" --rm \
		--annotation "$ANNOTATION=of:$T/allowed/x.json" "$BUSYBOX" true
	check_status 0
	[[ -s $T/allowed/x.json ]]
}
