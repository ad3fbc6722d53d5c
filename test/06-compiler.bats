#!/usr/bin/env bats
# The compiler workflow end to end: trace two commands with tf:, merge the
# traces, compile against the engine's default profile, run both commands
# under the result, and diff it against the default.

bats_require_minimum_version 1.5.0
load helpers

DEFAULT=/usr/share/containers/seccomp.json
CMD_A=(ls -ln /bin/busybox /bin/sh)
CMD_B=(sh -c 'mkdir /tmp/d && ln -s /tmp/d /tmp/l && readlink /tmp/l && rmdir /tmp/d')

@test "trace, merge, compile against the default profile, run, diff" {
	run trace "of:$T/a.json;tf:$T/a.trace.json" "$BUSYBOX" "${CMD_A[@]}"
	check_status 0
	local out_a=$output
	run trace "of:$T/b.json;tf:$T/b.trace.json" "$BUSYBOX" "${CMD_B[@]}"
	check_status 0
	local out_b=$output
	[[ $(jq .version "$T/a.trace.json") == 2 && $(jq '.runs | length' "$T/a.trace.json") == 1 ]]

	run "$COMPILER" merge -o "$T/merged.json" "$T/a.trace.json" "$T/b.trace.json"
	check_status 0
	[[ $(jq '.runs | length' "$T/merged.json") == 2 ]]

	run "$COMPILER" compile --base "$DEFAULT" -o "$T/final.json" "$T/merged.json"
	check_status 0
	run "$COMPILER" check "$T/final.json"
	check_status 0
	# Every rule says why it is there, or is the base's own.
	jq -e '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and (.args | length) == 0) | .comment | length > 0] | all' "$T/final.json"

	run podman_run --rm --security-opt "seccomp=$T/final.json" "$BUSYBOX" "${CMD_A[@]}"
	check_status 0
	[[ $output == "$out_a" ]]
	run podman_run --rm --security-opt "seccomp=$T/final.json" "$BUSYBOX" "${CMD_B[@]}"
	check_status 0
	[[ $output == "$out_b" ]]
	# Something neither command did stays blocked.
	run ! podman_run --rm --security-opt "seccomp=$T/final.json" "$BUSYBOX" chmod 700 /tmp

	run "$COMPILER" diff "$DEFAULT" "$T/final.json"
	[[ $status == 1 ]] || { echo "diff exit $status: $output"; return 1; }
	[[ $output =~ allows\ ([0-9]+)\ of\ 410\ \(−([0-9]+)%\) ]] || { echo "$output"; return 1; }
	echo "# compiled profile allows ${BASH_REMATCH[1]} of 410 (−${BASH_REMATCH[2]}%)" >&3
	((BASH_REMATCH[2] > 80))
}

@test "the hook's profile and compile of its trace are the same" {
	run trace "of:$T/hook.json;tf:$T/hook.trace.json" "$BUSYBOX" "${CMD_A[@]}"
	check_status 0
	run "$COMPILER" compile -o "$T/compiled.json" "$T/hook.trace.json"
	check_status 0
	cmp "$T/hook.json" "$T/compiled.json"
	run "$COMPILER" diff "$T/hook.trace.json" "$T/hook.json"
	check_status 0
}

@test "the trace records the runtime and its share of the calls, the node, no-new-privileges, arguments" {
	run trace "of:$T/p.json;tf:$T/t.json" --security-opt no-new-privileges "$BUSYBOX" sh -c 'ls / >/dev/null; true'
	check_status 0
	# The runtime is prestart's parent, named as its --version says.
	local runtime
	runtime=$(jq -r '.runs[0].runtime' "$T/t.json")
	echo "runtime: $runtime"
	[[ $runtime =~ ^(runc|crun)\ [0-9][^\ ]*$ ]]
	[[ -z $RUNTIME || $runtime == "$RUNTIME "* ]]
	[[ $(jq -r '.runs[0].node' "$T/t.json") == "$(hostname)" ]]
	[[ $(jq '.runs[0].noNewPrivileges' "$T/t.json") == true ]]
	# The execve of sh is the runtime's; sh's fork for ls (busybox runs
	# its applets without exec) the workload's.
	jq -e '.syscalls[] | select(.name == "execve") | .runtimeCount == 1' "$T/t.json"
	jq -e '.syscalls[] | select(.name == "clone") | .runtimeCount == null and .count >= 1' "$T/t.json"
	# ls asks about its output's terminal: ioctl's request is recorded.
	jq -e '.syscalls[] | select(.name == "ioctl") | .args[0].index == 1 and .args[0].kind == "values" and (.args[0].values | length) > 0' "$T/t.json"
}
