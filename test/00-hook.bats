#!/usr/bin/env bats
# The hook under real podman + runc + eBPF: the old hook's workflows.

bats_require_minimum_version 1.5.0
load helpers

@test "--version prints the version" {
	run "$HOOK" --version
	check_status 0
	[[ $output == "$(cat "$ROOT_DIR/internal/version/VERSION")" ]]
}

@test "refuses to run without root" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$HOOK" -s </dev/null
	check_status 1
	[[ $output == *"must run as root"* ]]
}

@test "trace ls: the profile exists when podman run returns and runs ls" {
	run trace "of:$T/ls.json" "$BUSYBOX" ls /
	check_status 0
	local listing=$output
	[[ -s $T/ls.json ]]
	[[ $(jq -r .defaultAction "$T/ls.json") == SCMP_ACT_ERRNO ]]
	jq -e '.architectures | index("SCMP_ARCH_X86_64")' "$T/ls.json"
	assert_allows "$T/ls.json" getdents64 execve exit_group
	# Recording starts at the seccomp filter: runc's mounts are not in it.
	refute_allows "$T/ls.json" mount pivot_root umount2
	run podman_run --rm --security-opt "seccomp=$T/ls.json" "$BUSYBOX" ls /
	check_status 0
	[[ $output == "$listing" ]]
}

@test "a syscall ls never made fails; tracing with if: extends the profile" {
	trace "of:$T/ls.json" "$BUSYBOX" ls /
	run podman_run --rm --security-opt "seccomp=$T/ls.json" "$BUSYBOX" mkdir /newdir
	check_status 1
	[[ $output == *"Operation not permitted"* ]]

	run trace "if:$T/ls.json;of:$T/both.json" "$BUSYBOX" mkdir /newdir
	check_status 0
	assert_allows "$T/both.json" mkdir
	run podman_run --rm --security-opt "seccomp=$T/both.json" "$BUSYBOX" mkdir /newdir
	check_status 0
	run podman_run --rm --security-opt "seccomp=$T/both.json" "$BUSYBOX" ls /
	check_status 0
}

@test "a syscall the if: profile blocks stays blocked" {
	local cmd='ls / >/dev/null && echo listed && mkdir /newdir'
	run trace "if:$FIXTURES/block-mkdir.json;of:$T/out.json" "$BUSYBOX" sh -c "$cmd"
	check_status 0
	refute_allows "$T/out.json" mkdir mkdirat
	jq -e '[.syscalls[] | select(.action == "SCMP_ACT_ERRNO") | .names[]] | index("mkdir")' "$T/out.json"
	# Under the profile the rest of the workload runs; mkdir is refused.
	run podman_run --rm --security-opt "seccomp=$T/out.json" "$BUSYBOX" sh -c "$cmd"
	check_status 1
	[[ $output == *listed*"Operation not permitted"* ]] || { echo "$output"; return 1; }
}

@test "without --rm the profile also exists when podman run returns" {
	local name=keep-$RANDOM
	run podman_run --name "$name" --annotation "$ANNOTATION=of:$T/out.json" "$BUSYBOX" true
	check_status 0
	[[ -s $T/out.json ]]
	podman rm "$name" >/dev/null
}

@test "a detached container stopped with podman stop gets its profile" {
	local name=stop-$RANDOM
	run podman_run -d --name "$name" --annotation "$ANNOTATION=of:$T/out.json" "$BUSYBOX" sleep 1000
	check_status 0
	[[ ! -e $T/out.json ]]
	run podman stop -t 1 "$name"
	check_status 0
	wait_for test -s "$T/out.json"
	# busybox sleep: nanosleep or clock_nanosleep, as its libc has it.
	syscalls "$T/out.json" | grep -qE '^(clock_)?nanosleep$'
	podman rm "$name" >/dev/null
}

@test "containers traced at the same time get only their own syscalls" {
	mkdir "$T/sync"
	local wait_go='until [ -e /sync/go ]; do sleep 0.05; done'
	podman_run -d --name "a-$$" -v "$T/sync:/sync" --annotation "$ANNOTATION=of:$T/a.json" \
		"$BUSYBOX" sh -c "$wait_go; mkdir /tmp/a"
	podman_run -d --name "b-$$" -v "$T/sync:/sync" --annotation "$ANNOTATION=of:$T/b.json" \
		"$BUSYBOX" sh -c "$wait_go; ln -s /x /tmp/b"
	podman_run -d --name "c-$$" -v "$T/sync:/sync" --annotation "$ANNOTATION=of:$T/c.json" \
		"$BUSYBOX" sh -c "$wait_go; rmdir /tmp"
	touch "$T/sync/go"
	podman wait "a-$$" "b-$$" "c-$$"
	podman rm "a-$$" "b-$$" "c-$$" >/dev/null
	wait_for test -s "$T/a.json" -a -s "$T/b.json" -a -s "$T/c.json"
	assert_allows "$T/a.json" mkdir
	refute_allows "$T/a.json" symlink rmdir
	assert_allows "$T/b.json" symlink
	refute_allows "$T/b.json" mkdir rmdir
	assert_allows "$T/c.json" rmdir
	refute_allows "$T/c.json" mkdir symlink
}

@test "works with and without no-new-privileges" {
	run trace "of:$T/nnp.json" --security-opt no-new-privileges "$BUSYBOX" ls /
	check_status 0
	# With NNP runc installs the filter right before execve: less is recorded.
	refute_allows "$T/nnp.json" capset setgroups
	run podman_run --rm --security-opt no-new-privileges --security-opt "seccomp=$T/nnp.json" "$BUSYBOX" ls /
	check_status 0

	run trace "of:$T/plain.json" "$BUSYBOX" ls /
	check_status 0
	run podman_run --rm --security-opt "seccomp=$T/plain.json" "$BUSYBOX" ls /
	check_status 0
}

@test "unconfined containers are recorded from the first prctl, like the old hook" {
	run trace "of:$T/out.json" --security-opt seccomp=unconfined "$BUSYBOX" ls /
	check_status 0
	assert_allows "$T/out.json" prctl getdents64
	run podman_run --rm --security-opt "seccomp=$T/out.json" "$BUSYBOX" ls /
	check_status 0
}

@test "the profile allows far fewer syscalls than the engine's default" {
	trace "of:$T/ls.json" "$BUSYBOX" ls /
	local ours theirs
	ours=$(syscalls "$T/ls.json" | wc -l)
	theirs=$(syscalls /usr/share/containers/seccomp.json | wc -l)
	echo "ls profile allows $ours syscalls; the default profile $theirs"
	((ours < 60 && theirs > 300))
}

@test "an old hooks.d JSON (prestart only) still works" {
	local hooks=$T/old-hooks.d
	hooks_dir_with "$hooks"
	jq '.stages = ["prestart"]' "$hooks/oci-seccomp-bpf-hook.json" >"$hooks/tmp.json"
	mv "$hooks/tmp.json" "$hooks/oci-seccomp-bpf-hook.json"
	run podman_run_in "$hooks" --rm \
		--annotation "$ANNOTATION=of:$T/old.json" "$BUSYBOX" ls /
	check_status 0
	# Without the poststop stage nothing waits for the tracer.
	wait_for test -s "$T/old.json"
	run podman_run --rm --security-opt "seccomp=$T/old.json" "$BUSYBOX" ls /
	check_status 0
}

@test "a container in the host's PID namespace is refused, not traced" {
	run podman_run --rm --pid=host --annotation "$ANNOTATION=of:$T/out.json" "$BUSYBOX" true
	[[ $status -ne 0 ]]
	[[ $output == *"host's PID namespace"* ]] || { echo "$output"; return 1; }
	[[ ! -e $T/out.json ]]
}

@test "-r PID -o OUT traces a running container by hand, as with the old hook" {
	mkdir "$T/sync"
	local name=hand-$$
	podman_run -d --name "$name" -v "$T/sync:/sync" "$BUSYBOX" \
		sh -c 'until [ -e /sync/go ]; do sleep 0.05; done; mkdir /tmp/x'
	local pid
	pid=$(podman inspect -f '{{.State.Pid}}' "$name")
	run ! "$HOOK" -r "$pid" -o /etc/hand-$$.json --run-dir "$T/run"
	[[ $output == *"inside a system directory /etc"* && ! -e /etc/hand-$$.json ]] || { echo "$output"; return 1; }

	"$HOOK" -r "$pid" -o "$T/hand.json" --run-dir "$T/run" 2>"$T/err" &
	local tracer=$!
	wait_for grep -q recording "$T/err"
	touch "$T/sync/go"
	wait "$tracer" || { cat "$T/err"; return 1; }
	assert_allows "$T/hand.json" mkdir
	podman rm "$name" >/dev/null
}
