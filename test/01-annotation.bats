#!/usr/bin/env bats
# Malformed annotations: the container does not start, the message names
# the problem, and nothing is written.

bats_require_minimum_version 1.5.0
load helpers

# reject VALUE PATTERN: the traced container must fail to start with an
# error matching PATTERN, and no file may appear in $T.
reject() {
	local value=$1 pattern=$2
	run ! trace "$value" "$BUSYBOX" true
	[[ $output == *"$pattern"* ]] || { echo "output lacks '$pattern': $output"; return 1; }
	[[ -z $(ls -A "$T/out") ]] || { echo "files written: $(ls -A "$T/out")"; return 1; }
}

setup() {
	[[ $(id -u) == 0 ]] || skip "requires root"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/out"
}

@test "relative of: path" {
	reject "of:out/x.json" "path must be absolute"
}

@test "relative if: path" {
	reject "if:in.json;of:$T/out/x.json" "path must be absolute"
}

@test "missing of:" {
	reject "if:$FIXTURES/block-mkdir.json" "of: is mandatory"
}

@test "unknown key" {
	reject "xf:$T/out/x.json" "must start with"
}

@test "leading space before the key" {
	reject " of:$T/out/x.json" "must start with"
}

@test "more than one semicolon" {
	reject "if:$FIXTURES/block-mkdir.json;of:$T/out/x.json;of:$T/out/y.json" "more than 1 semicolons"
}

@test "empty value" {
	reject "" "must start with"
}

@test "empty of: path" {
	reject "of:" "empty path"
}

@test "of: given twice" {
	reject "of:$T/out/x.json;of:$T/out/y.json" "given twice"
}

@test "unreadable if: file" {
	reject "if:$T/missing.json;of:$T/out/x.json" "missing.json"
}

@test "invalid if: profile" {
	reject "if:$FIXTURES/invalid.json;of:$T/out/x.json" "invalid.json"
}

@test "output directory does not exist" {
	reject "of:$T/out/nodir/x.json" "output directory"
}
