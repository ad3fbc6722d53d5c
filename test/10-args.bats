#!/usr/bin/env bats
# Argument-aware profiles under real podman + eBPF: a python3 workload
# (test/fixtures/args.py) traced, then run under its profile, where it
# works as traced and every argument value it never used is refused.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	load helpers
	[[ $(id -u) == 0 ]] || return 0
	prepare_env
	NEED_DEBIAN_PYTHON=1 build_images
}

DOCKER_DEFAULT=$ROOT_DIR/compiler/testdata/profiles/docker-default.json
ARGS=(python3 /fixtures/args.py)

# in_profile PROFILE ARG...: run args.py with ARG... under PROFILE.
in_profile() {
	local profile=$1
	shift
	podman_run --rm --security-opt "seccomp=$profile" -v "$FIXTURES:/fixtures:ro" "$DEBIAN_PYTHON" "${ARGS[@]}" "$@"
}

# inet_and_unix_only PROFILE: PROFILE passes libseccomp's check, and
# under it AF_INET and AF_UNIX sockets work and AF_INET6 gets EPERM.
inet_and_unix_only() {
	run "$COMPILER" check "$1"
	check_status 0
	local f
	for f in inet unix; do
		run in_profile "$1" sock $f
		[[ $output == "sock $f ok" ]] || { echo "$output"; return 1; }
	done
	run in_profile "$1" sock inet6
	[[ $output == "sock inet6 EPERM" ]]
}

# probe PROFILE WHAT WANT: the probe's call gets WANT (an errno name, or
# ok) under PROFILE.
probe() {
	run in_profile "$1" probe "$2"
	check_status 0
	[[ $output == "$2: $3" ]] || { echo "$2 under $(basename "$1"): $output, want $3"; return 1; }
}

# unconditional_table PROFILE: the calls of the argument table that an
# allow rule without conditions names, one a line.
unconditional_table() {
	jq -r '.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and (.args // [] | length) == 0
		and (.includes.caps // [] | length) == 0) | .names[]' "$1" |
		grep -xE 'socket|clone|clone3|unshare|personality|ioctl|prctl' | sort -u || true
}

@test "args.py runs as traced; a netlink socket, namespaces, READ_IMPLIES_EXEC and another ioctl are refused" {
	run podman_run --rm --annotation "$ANNOTATION=of:$T/p.json;tf:$T/t.json" -v "$FIXTURES:/fixtures:ro" "$DEBIAN_PYTHON" "${ARGS[@]}"
	check_status 0
	local traced=$output
	[[ $traced == "['AF_INET', 'AF_UNIX'] child 7 thread persona 0x0 fionread 5" ]]
	# Every call of the table it made is allowed for the values seen only.
	run unconditional_table "$T/p.json"
	[[ -z $output ]] || { echo "allowed without conditions: $output"; return 1; }
	jq -e '[.syscalls[] | select(.names == ["socket"]) | .args[0].value] == [1, 2]' "$T/p.json"
	jq -e '.syscalls[] | select(.names == ["clone3"]) | .action == "SCMP_ACT_ERRNO" and .errnoRet == 38' "$T/p.json"

	run in_profile "$T/p.json"
	check_status 0
	[[ $output == "$traced" ]]
	probe "$T/p.json" netlink EPERM
	probe "$T/p.json" unshare-user EPERM
	probe "$T/p.json" clone-user EPERM
	probe "$T/p.json" clone3-user ENOSYS
	probe "$T/p.json" personality-rie EPERM
	probe "$T/p.json" ioctl-fionbio EPERM
	# Each is a call the kernel allows here: the profile refuses it.
	local what
	for what in netlink unshare-user clone-user clone3-user personality-rie ioctl-fionbio; do
		probe unconfined "$what" ok
	done
}

@test "two traces, AF_INET only and AF_UNIX only, merged: both families work, a third is refused" {
	local f
	for f in inet unix; do
		run podman_run --rm --annotation "$ANNOTATION=of:$T/$f.json;tf:$T/$f.trace.json" -v "$FIXTURES:/fixtures:ro" "$DEBIAN_PYTHON" "${ARGS[@]}" sock $f
		check_status 0
		[[ $output == "sock $f ok" ]]
	done
	# Each alone refuses the other's family.
	run in_profile "$T/inet.json" sock unix
	[[ $output == "sock unix EPERM" ]]
	run "$COMPILER" merge -o "$T/merged.trace.json" "$T/inet.trace.json" "$T/unix.trace.json"
	check_status 0
	jq -e '[.syscalls[] | select(.name == "socket") | .args[0].values[].value] == [1, 2]' "$T/merged.trace.json"
	run "$COMPILER" compile -o "$T/both.json" "$T/merged.trace.json"
	check_status 0
	inet_and_unix_only "$T/both.json"
	run "$COMPILER" diff "$T/inet.trace.json" "$T/both.json"
	[[ $status == 1 && $output == *"socket: base allows only AF_INET (0x2), target only AF_UNIX (0x1), AF_INET (0x2)"* ]] || { echo "$output"; return 1; }
}

@test "runs accumulated into one profile with if: and of: on the same file: AF_INET, then AF_UNIX, both work" {
	run podman_run --rm --annotation "$ANNOTATION=of:$T/acc.json" -v "$FIXTURES:/fixtures:ro" "$DEBIAN_PYTHON" "${ARGS[@]}" sock inet
	check_status 0
	run podman_run --rm --annotation "$ANNOTATION=if:$T/acc.json;of:$T/acc.json" -v "$FIXTURES:/fixtures:ro" "$DEBIAN_PYTHON" "${ARGS[@]}" sock unix
	check_status 0
	[[ $output == "sock unix ok" ]]
	inet_and_unix_only "$T/acc.json"
}

@test "compile --base Docker's default profile: accepted, its clone and personality conditions hold" {
	run podman_run --rm --annotation "$ANNOTATION=of:$T/p.json;tf:$T/t.json" -v "$FIXTURES:/fixtures:ro" "$DEBIAN_PYTHON" "${ARGS[@]}"
	check_status 0
	local traced=$output
	run "$COMPILER" compile --base "$DOCKER_DEFAULT" -o "$T/docker.json" "$T/t.json"
	check_status 0
	# Docker's clone (a namespace mask without CAP_SYS_ADMIN) and
	# personality (five values) rules are in the result as they were.
	local rules='[.syscalls[] | select(.names == ["clone"] or .names == ["personality"])
		| {names, args: [.args[] | {index, value, valueTwo: (.valueTwo // 0), op}], includes, excludes}]'
	[[ $(jq -c "$rules" "$T/docker.json") == "$(jq -c "$rules" "$DOCKER_DEFAULT")" ]]
	run in_profile "$T/docker.json"
	check_status 0
	[[ $output == "$traced" ]]
	probe "$T/docker.json" clone-user EPERM
	probe "$T/docker.json" personality-rie EPERM
	probe "$T/docker.json" clone3-user ENOSYS
	# Docker allows any family; the result only those recorded.
	probe "$T/docker.json" netlink EPERM
}

# A terminal is the container's environment, not its workload: a profile
# traced without one works with one, and the reverse. Two workloads:
# Debian's sh, stty and python3, and busybox's sh reading and writing,
# stty and ls (which sizes its columns to the terminal).
TTY_DEBIAN=(sh -c 'stty size 2>&1; python3 -c "import os; print(os.isatty(0), os.isatty(1)); print(os.get_terminal_size() if os.isatty(1) else \"no terminal\")"; echo done')
TTY_BUSYBOX=(sh -c 'read -t 1 x; echo "read [$x]"; stty size 2>&1; ls -C /bin | head -1 | wc -c; echo done')

# tty_run PROFILE IMAGE [-t]: the image's command under PROFILE, with a
# terminal when -t.
tty_run() {
	local profile=$1 image=$2 cmd
	shift 2
	if [[ $image == "$DEBIAN" ]]; then cmd=("${TTY_DEBIAN[@]}"); else cmd=("${TTY_BUSYBOX[@]}"); fi
	podman_run --rm "$@" --security-opt "seccomp=$profile" "$image" "${cmd[@]}" </dev/null
}

@test "terminal: traced without -t runs with -t, traced with -t runs without, as unconfined does" {
	local image p t want
	for image in "$DEBIAN" "$BUSYBOX"; do
		local cmd=("${TTY_BUSYBOX[@]}")
		[[ $image != "$DEBIAN" ]] || cmd=("${TTY_DEBIAN[@]}")
		run trace "of:$T/plain.json" "$image" "${cmd[@]}" </dev/null
		check_status 0
		run trace "of:$T/tty.json" -t "$image" "${cmd[@]}" </dev/null
		check_status 0
		for t in "" -t; do
			run tty_run unconfined "$image" $t
			check_status 0
			want=$output
			[[ $want == *done* ]]
			for p in plain tty; do
				run tty_run "$T/$p.json" "$image" $t
				check_status 0
				[[ $output == "$want" ]] || { echo "$image traced ${p}, run ${t:-without -t}: $output"; echo "unconfined: $want"; return 1; }
			done
		done
	done
	# Without the terminal group, python3's -t run differs (busybox's ls
	# asks for the window size with or without a terminal): the group
	# is what makes it work.
	run trace "of:$T/plain.json" "$DEBIAN" "${TTY_DEBIAN[@]}" </dev/null
	jq 'del(.syscalls[] | select(.comment | test("terminal group")))' "$T/plain.json" >"$T/nogroup.json"
	run tty_run unconfined "$DEBIAN" -t
	want=$output
	run tty_run "$T/nogroup.json" "$DEBIAN" -t
	[[ $output != "$want" ]] || { echo "the same without the terminal group: $output"; return 1; }
	echo "without the terminal group: $output"
}
