# Shared set-up for the bats system tests: real podman + runc + eBPF, the
# hook registered through a hooks.d directory of the test's own.
#
# HOOK_INSTALLED=1 tests the installed package instead of bin/: podman then
# finds the hook through /usr/share/containers/oci/hooks.d as users' would.

TEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$TEST_DIR")
WORK_DIR=${TEST_WORK_DIR:-/var/tmp/oci-seccomp-bpf-hook-test}
FIXTURES=$TEST_DIR/fixtures
BUSYBOX=localhost/seccomp-hook-test/busybox
DEBIAN=localhost/seccomp-hook-test/debian
DEBIAN_PYTHON=localhost/seccomp-hook-test/debian-python
DEBIAN_PROGRAMS=localhost/seccomp-hook-test/debian-programs
ANNOTATION=io.containers.trace-syscall

if [[ ${HOOK_INSTALLED:-0} == 1 ]]; then
	HOOK=/usr/libexec/oci/hooks.d/oci-seccomp-bpf-hook
	COMPILER=/usr/bin/oci-seccomp-compiler
	HOOKS_DIR_ARGS=()
else
	HOOK=$ROOT_DIR/bin/oci-seccomp-bpf-hook
	COMPILER=$ROOT_DIR/bin/oci-seccomp-compiler
	# One hooks directory per checkout: CI's clone and a developer's tree
	# share the images in WORK_DIR but must each run their own hook.
	HOOKS_DIR=$WORK_DIR/hooks.d-$(printf %s "$ROOT_DIR" | md5sum | cut -c1-8)
	HOOKS_DIR_ARGS=(--hooks-dir "$HOOKS_DIR")
fi
# RUNTIME is the OCI runtime the suite runs under: runc (when unset) or
# crun; make test runs the suite once under each. Set but empty, podman
# picks its default (crun when installed), as make demo does. Each runtime
# gets a containers.conf of its own, so two runs do not disturb each other.
RUNTIME=${RUNTIME-runc}
export CONTAINERS_CONF=$WORK_DIR/containers-${RUNTIME:-default}.conf

# prepare_env writes the containers.conf and hooks.d the tests use: the
# runtime, and nofile from the current hard limit, which podman may not
# exceed.
prepare_env() {
	[[ -z ${HOOKS_DIR:-} ]] || mkdir -p "$HOOKS_DIR"
	cat >"$CONTAINERS_CONF" <<-CONF
		[containers]
		default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
		[engine]
		${RUNTIME:+runtime = \"$RUNTIME\"}
	CONF
	prepare_cgroups
	if [[ -n ${HOOKS_DIR:-} ]]; then
		sed "s|HOOK_BIN_DIR/oci-seccomp-bpf-hook|$HOOK|" \
			"$ROOT_DIR/hooks.d/oci-seccomp-bpf-hook.json" >"$HOOKS_DIR/oci-seccomp-bpf-hook.json"
	fi
}

# prepare_cgroups gives each controller that cgroup v2 holds on a hybrid
# host (hugetlb on the CI machines) a v1 hierarchy of its own: crun refuses
# hybrid mode while the v2 hierarchy holds any controller ("cgroups in
# hybrid mode not supported, drop all controllers from cgroupv2"), and runc
# does not mind. Test set-up, not the product's business.
prepare_cgroups() {
	local controllers=/sys/fs/cgroup/unified/cgroup.controllers c
	[[ -r $controllers ]] || return 0
	for c in $(cat "$controllers"); do
		mkdir -p "/sys/fs/cgroup/$c"
		mountpoint -q "/sys/fs/cgroup/$c" || mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c"
	done
}

# build_images imports the test images once: busybox from busybox-static,
# and a minimal Debian with python3 and strace from debootstrap.
build_images() {
	if ! podman image exists "$BUSYBOX"; then
		local rootfs=$WORK_DIR/busybox-rootfs
		rm -rf "$rootfs"
		mkdir -p "$rootfs"/{bin,tmp,etc,proc,sys,dev}
		cp /bin/busybox "$rootfs/bin/busybox"
		for applet in $("$rootfs/bin/busybox" --list); do
			[[ -e $rootfs/bin/$applet ]] || ln -s busybox "$rootfs/bin/$applet"
		done
		tar -C "$rootfs" -c . | podman import --change 'ENV PATH=/bin' - "$BUSYBOX" >/dev/null
	fi
	if [[ ${NEED_DEBIAN:-0} == 1 ]] && ! podman image exists "$DEBIAN"; then
		local rootfs=$WORK_DIR/debian-rootfs
		rm -rf "$rootfs"
		debootstrap --variant=minbase --include=python3-minimal,strace bookworm "$rootfs" >"$WORK_DIR/debootstrap.log" 2>&1 ||
			{ tail -20 "$WORK_DIR/debootstrap.log"; return 1; }
		tar -C "$rootfs" -c . | podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$DEBIAN" >/dev/null
	fi
	# The Debian image with python3's whole standard library (ctypes, for
	# raw system calls), from the Debian image and the network.
	if [[ ${NEED_DEBIAN_PYTHON:-0} == 1 ]] && ! podman image exists "$DEBIAN_PYTHON"; then
		NEED_DEBIAN=1 NEED_DEBIAN_PYTHON=0 build_images
		local ctr=seccomp-hook-test-python-$$
		podman run --name "$ctr" "$DEBIAN" sh -c 'apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends python3 >/dev/null &&
			rm -rf /var/lib/apt/lists/*' >"$WORK_DIR/debian-python.log" 2>&1 ||
			{ tail -20 "$WORK_DIR/debian-python.log"; podman rm -f "$ctr" >/dev/null; return 1; }
		podman commit -q "$ctr" "$DEBIAN_PYTHON" >/dev/null
		podman rm "$ctr" >/dev/null
	fi
	# Language runtimes for 12-programs.bats: pandoc (GHC) and perl on top
	# of the python3 image.
	if [[ ${NEED_DEBIAN_PROGRAMS:-0} == 1 ]] && ! podman image exists "$DEBIAN_PROGRAMS"; then
		NEED_DEBIAN_PYTHON=1 NEED_DEBIAN_PROGRAMS=0 build_images
		local ctr=seccomp-hook-test-programs-$$
		podman run --name "$ctr" "$DEBIAN_PYTHON" sh -c 'apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends pandoc perl >/dev/null &&
			rm -rf /var/lib/apt/lists/*' >"$WORK_DIR/debian-programs.log" 2>&1 ||
			{ tail -20 "$WORK_DIR/debian-programs.log"; podman rm -f "$ctr" >/dev/null; return 1; }
		podman commit -q "$ctr" "$DEBIAN_PROGRAMS" >/dev/null
		podman rm "$ctr" >/dev/null
	fi
}

# build_progs compiles the static test workloads in test/progs into
# $PROGS, which tests mount into containers read-only.
PROGS=$WORK_DIR/progs
build_progs() {
	mkdir -p "$PROGS"
	local src
	for src in "$TEST_DIR"/progs/*.c; do
		local bin=$PROGS/$(basename "$src" .c)
		[[ $bin -nt $src ]] || gcc -O2 -static -pthread -Wall -Werror -o "$bin" "$src"
	done
	# Go workloads (a directory with main.go each), static; Go from PATH
	# or /usr/local/go, as the Makefile finds it.
	command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin
	for src in "$TEST_DIR"/progs/*/main.go; do
		local dir=${src%/main.go} bin=$PROGS/$(basename "${src%/main.go}")
		[[ $bin -nt $src ]] || (cd "$dir" && CGO_ENABLED=0 go build -o "$bin" .)
	done
}

# hooks_dir_with DIR ARG...: write into DIR a hooks.d JSON for $HOOK whose
# arguments get ARG... appended (e.g. --allow-dir /x).
hooks_dir_with() {
	local dir=$1
	shift
	mkdir -p "$dir"
	local extra='[]'
	(($# == 0)) || extra=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	jq --arg hook "$HOOK" --argjson extra "$extra" '.hook.path = $hook | .hook.args += $extra' \
		"$ROOT_DIR/hooks.d/oci-seccomp-bpf-hook.json" >"$dir/oci-seccomp-bpf-hook.json"
}

# podman_run runs podman run with the test's hooks directory.
podman_run() {
	podman_run_in "" "$@"
}

# podman_run_in HOOKS_DIR ARG...: podman run with the hooks.d directory
# HOOKS_DIR ("" for the test's own). runc puts a failing hook's stderr in
# its error; crun drops it unless the container names a file for it with
# crun's run.oci.hooks.stderr annotation, as the README tells crun users
# to do. Under crun this does so, and prints the file after podman's own
# output when podman failed, so that tests read the hook's message under
# either runtime.
podman_run_in() {
	local hooks=("${HOOKS_DIR_ARGS[@]}")
	[[ -z $1 ]] || hooks=(--hooks-dir "$1")
	shift
	if [[ $RUNTIME != crun ]]; then
		podman "${hooks[@]}" run --network=none "$@"
		return
	fi
	local err rc=0
	err=$(mktemp -p "${BATS_TEST_TMPDIR:-$WORK_DIR}" hook-stderr.XXXXXX)
	podman "${hooks[@]}" run --network=none --annotation "run.oci.hooks.stderr=$err" "$@" || rc=$?
	# As runc does: the hook's stderr only when the run failed.
	((rc == 0)) || cat "$err" >&2
	rm -f "$err"
	return "$rc"
}

# trace ANNOTATION_VALUE IMAGE CMD...: run a traced container.
trace() {
	local value=$1
	shift
	podman_run --rm --annotation "$ANNOTATION=$value" "$@"
}

# syscalls PROFILE: the names the profile's allow rules list, one a line.
syscalls() {
	jq -r '.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]' "$1" | sort -u
}

# assert_allows PROFILE NAME... / refute_allows PROFILE NAME...
assert_allows() {
	local p=$1 n
	shift
	for n; do
		syscalls "$p" | grep -qx "$n" || { echo "$p does not allow $n"; return 1; }
	done
}
refute_allows() {
	local p=$1 n
	shift
	for n; do
		! syscalls "$p" | grep -qx "$n" || { echo "$p allows $n"; return 1; }
	done
}

# wait_for COMMAND...: poll until the command succeeds, for at most
# WAIT_SECONDS (default 10). No fixed sleeps.
wait_for() {
	local deadline=$((SECONDS + ${WAIT_SECONDS:-10}))
	until "$@"; do
		((SECONDS < deadline)) || { echo "timed out waiting for: $*"; return 1; }
	done
}

# start_sleeper starts `sleep` as pid 1 of a new PID namespace, a stand-in
# for a container's init for tests that drive the hook directly. Sets
# SLEEPER_PID (the sleep, as seen from the host) and SLEEPER (its unshare
# parent, which teardown kills; killing it kills the sleep).
start_sleeper() {
	unshare -p -f --kill-child sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	SLEEPER=$!
	wait_for pgrep -P "$SLEEPER" sleep >/dev/null
	SLEEPER_PID=$(pgrep -P "$SLEEPER" sleep)
}

teardown() {
	if [[ -n ${SLEEPER:-} ]]; then
		kill -9 "$SLEEPER" 2>/dev/null || true
		wait "$SLEEPER" 2>/dev/null || true
	fi
}

# check_run prints a failed command's output, which bats hides otherwise.
check_status() {
	local want=$1
	if [[ $status -ne $want ]]; then
		echo "exit status $status, want $want; output:"
		echo "$output"
		return 1
	fi
}

setup() {
	[[ $(id -u) == 0 ]] || skip "requires root"
	T=$BATS_TEST_TMPDIR
}
