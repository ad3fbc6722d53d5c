#!/usr/bin/env bats
# Faults while tracing: each gives a clear error, in the log and on the
# engine's stderr when the container's start is affected, and never a
# truncated or partial profile; an earlier file at the output path stays.

bats_require_minimum_version 1.5.0
load helpers

LOG=/run/oci-seccomp-bpf-hook/hook.log

setup() {
	[[ $(id -u) == 0 ]] || skip "requires root"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/out"
	cp "$FIXTURES/block-mkdir.json" "$T/out/p.json"
	cp "$T/out/p.json" "$T/old.json"
}

old_intact() {
	cmp "$T/old.json" "$T/out/p.json"
	# No temporary file left behind either.
	[[ $(ls -A "$T/out") == p.json ]] || { ls -la "$T/out"; return 1; }
}

# logged PATTERN: the hook's log (syslog is absent here) has a line
# matching PATTERN written since the test started.
logged() {
	wait_for grep -q -- "$1" <(tail -c +$((LOG_START + 1)) "$LOG")
}

setup_log() {
	LOG_START=$( [[ -e $LOG ]] && stat -c %s "$LOG" || echo 0)
}

# tracer_of NAME prints the PID of the tracer of container NAME.
tracer_of() {
	local pid
	pid=$(podman inspect -f '{{.State.Pid}}' "$1")
	pgrep -f -- "oci-seccomp-bpf-hook tracer $pid "
}

@test "tracer killed: no profile, the old one stays, poststop says why" {
	setup_log
	local name=kill-$RANDOM
	podman_run -d --name "$name" --annotation "$ANNOTATION=of:$T/out/p.json" "$BUSYBOX" sleep 1000
	local tracer
	tracer=$(tracer_of "$name")
	[[ -n $tracer ]]
	kill -9 "$tracer"
	podman rm -f -t 0 "$name"
	old_intact
	logged "tracer ended without writing a profile"
}

@test "disk full: no partial profile, the old one stays" {
	setup_log
	mkdir "$T/full"
	mount -t tmpfs -o size=64k tmpfs "$T/full"
	cp "$T/out/p.json" "$T/full/p.json"
	dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null || true
	run trace "of:$T/full/p.json" "$BUSYBOX" ls /
	cmp "$T/old.json" "$T/full/p.json"
	[[ $(ls -A "$T/full" | sort | tr '\n' ' ') == "filler p.json " ]]
	umount "$T/full"
	logged "no space left on device"
}

@test "output directory removed while tracing: error, nothing written" {
	setup_log
	mkdir "$T/gone"
	local name=gone-$RANDOM
	podman_run -d --name "$name" --annotation "$ANNOTATION=of:$T/gone/p.json" "$BUSYBOX" sleep 1000
	rm -rf "$T/gone"
	podman rm -f -t 0 "$name"
	[[ ! -e $T/gone ]]
	logged "write profile"
}

@test "no kernel BTF: the container does not start, the error says why" {
	# A recorder of the test's own: the shared one may already be loaded,
	# and a loaded program needs no BTF to be attached again.
	local pins=/sys/fs/bpf/seccomp-hook-test-btf-$$
	hooks_dir_with "$T/hooks.d" --pin-dir "$pins"
	run ! unshare -m bash -c "mount -t tmpfs none /sys/kernel/btf &&
		$(declare -f podman_run_in); $(declare -p HOOKS_DIR_ARGS RUNTIME BATS_TEST_TMPDIR);
		podman_run_in $T/hooks.d --rm --annotation $ANNOTATION=of:$T/out/p.json $BUSYBOX true"
	rm -rf "$pins"
	[[ $output == *"attach recorder"* && $output == *"no BTF found"* ]] || { echo "$output"; return 1; }
	old_intact
}

@test "missing capabilities: the tracer fails with a clear error" {
	start_sleeper
	run ! setpriv --bounding-set=-bpf,-perfmon,-sys_admin,-net_admin \
		"$HOOK" -r "$SLEEPER_PID" -o "$T/out/p.json" --run-dir "$T/run" --pin-dir "/sys/fs/bpf/seccomp-hook-test-caps-$$"
	rmdir "/sys/fs/bpf/seccomp-hook-test-caps-$$" 2>/dev/null || true
	[[ $output == *"operation not permitted"* ]] || { echo "$output"; return 1; }
	old_intact
}

@test "container killed before it started: no empty profile" {
	start_sleeper
	local id=early-$RANDOM
	local state='{"ociVersion":"1.0.2","id":"'$id'","status":"created","pid":'$SLEEPER_PID',"bundle":"/nonexistent",
		"annotations":{"'$ANNOTATION'":"of:'$T/out/p.json'"}}'
	run "$HOOK" -s --run-dir "$T/run" <<<"$state"
	check_status 0
	kill -9 "$SLEEPER"
	run ! "$HOOK" -s --run-dir "$T/run" <<<'{"ociVersion":"1.0.2","id":"'$id'","status":"stopped"}'
	[[ $output == *"exited before it started"* ]] || { echo "$output"; return 1; }
	old_intact
}

@test "container gone before the tracer attaches: the start fails, nothing is written" {
	# A PID that no longer exists stands for an init that died while the
	# hook was starting.
	sh -c 'exit 0' &
	local pid=$!
	wait "$pid"
	local state='{"ociVersion":"1.0.2","id":"gone-'$RANDOM'","status":"created","pid":'$pid',"bundle":"/nonexistent",
		"annotations":{"'$ANNOTATION'":"of:'$T/out/p.json'"}}'
	run ! "$HOOK" -s --run-dir "$T/run" <<<"$state"
	[[ $output == *"container process $pid"* ]] || { echo "$output"; return 1; }
	old_intact
	# No status file is left for a poststop to wait on.
	[[ -z $(find "$T/run" -name '*.status' 2>/dev/null) ]] || { ls -la "$T/run"; return 1; }
	grep -q "container process $pid" "$T/run/hook.log"
}
