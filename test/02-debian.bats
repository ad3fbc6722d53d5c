#!/usr/bin/env bats
# Real programs from a Debian rootfs: the traced profile runs them with the
# same output, and holds every syscall strace sees them make.

load helpers

setup_file() {
	load helpers
	[[ $(id -u) == 0 ]] || return 0
	prepare_env
	NEED_DEBIAN=1 build_images
}

PY=(python3 /fixtures/script.py)
# tail, not head: head would close the pipe early and whether sort then
# dies of SIGPIPE (gettid, tgkill) would depend on timing.
PIPELINE=(sh -c 'seq 1 5000 | sort -rn | tail -n 3 | tr "\n" " "; ls /usr | wc -l')

# same_output PROFILE CMD...: the command's output traced equals its output
# under the profile.
same_output() {
	local profile=$1
	shift
	run trace "of:$profile" -v "$FIXTURES:/fixtures:ro" "$DEBIAN" "$@"
	check_status 0
	local traced=$output
	[[ -n $traced ]]
	run podman_run --rm --security-opt "seccomp=$profile" -v "$FIXTURES:/fixtures:ro" "$DEBIAN" "$@"
	check_status 0
	[[ $output == "$traced" ]] || { echo "traced: $traced"; echo "under profile: $output"; return 1; }
}

# strace_covered PROFILE CMD...: every syscall name strace -f logs for the
# command (run unconfined, with ptrace allowed) is allowed by PROFILE, or
# answered with ENOSYS so that libc falls back (clone3).
strace_covered() {
	local profile=$1
	shift
	mkdir -p "$T/strace"
	run podman_run --rm --cap-add SYS_PTRACE --security-opt seccomp=unconfined \
		-v "$FIXTURES:/fixtures:ro" -v "$T/strace:/out" "$DEBIAN" \
		strace -f -qq -o /out/log "$@"
	check_status 0
	sed -nE 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' "$T/strace/log" | sort -u >"$T/strace/names"
	echo "strace saw $(wc -l <"$T/strace/names") distinct syscalls"
	(($(wc -l <"$T/strace/names") > 20))
	# clone3 is answered with ENOSYS on purpose when no namespace was
	# seen: glibc then calls clone, whose flags the profile checks.
	local missing
	missing=$(comm -23 "$T/strace/names" <({
		syscalls "$profile"
		jq -r '.syscalls[] | select(.action == "SCMP_ACT_ERRNO" and .errnoRet == 38) | .names[]' "$profile"
	} | sort -u))
	[[ -z $missing ]] || { echo "in strace, not in the profile:" $missing; return 1; }
}

@test "python3: identical output under its traced profile" {
	same_output "$T/py.json" "${PY[@]}"
}

@test "python3: every syscall strace -f sees is in the profile" {
	trace "of:$T/py.json" -v "$FIXTURES:/fixtures:ro" "$DEBIAN" "${PY[@]}"
	strace_covered "$T/py.json" "${PY[@]}"
}

@test "shell pipeline: identical output under its traced profile" {
	same_output "$T/sh.json" "${PIPELINE[@]}"
}

@test "shell pipeline: every syscall strace -f sees is in the profile" {
	trace "of:$T/sh.json" "$DEBIAN" "${PIPELINE[@]}"
	strace_covered "$T/sh.json" "${PIPELINE[@]}"
}
