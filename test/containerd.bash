# containerd instances of a test's own, each standing in for a Kubernetes
# node: its own root, state, socket and config under the test's temporary
# directory (never /etc/containerd, /var/lib/containerd or the system's
# socket), the CRI plugin configured as README.md's containerd recipe says,
# with the hook under test in base_runtime_spec. test/cri plays kubelet.
# Load after helpers.bash.

CRI_BUSYBOX=$BUSYBOX:latest
CRI_PAUSE=localhost/seccomp-hook-test/pause:latest
CRI_IMAGES=$WORK_DIR/containerd-images

# Arguments for the hook beyond those of its hooks.d JSON (--allow-dir).
CONTAINERD_HOOK_ARGS=()
# Instances started by start_containerd, for stop_containerds.
CONTAINERD_DIRS=()
# containerd 1.6's shims put their sockets in /run/containerd/s whatever
# the config says; stop_containerds removes the directories if this test
# made them and they are empty.
SHIM_RUN_DIR=/run/containerd

# build_cri builds the CRI client into $CRI and saves the test images as
# docker archives for ctr to import: the suite's busybox, and a sandbox
# image holding only test/progs/pause.c (build_progs compiled it).
build_cri() {
	command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin
	export CRI=$BATS_FILE_TMPDIR/cri
	(cd "$ROOT_DIR/test/cri" && go build -o "$CRI" .)
	mkdir -p "$CRI_IMAGES"
	save_image "$BUSYBOX" busybox
	if [[ ! $CRI_IMAGES/pause.tar -nt $PROGS/pause ]]; then
		tar -C "$PROGS" -c pause | podman import -q --change 'ENTRYPOINT ["/pause"]' - "$CRI_PAUSE" >/dev/null
		rm -f "$CRI_IMAGES/pause.tar"
		save_image "$CRI_PAUSE" pause
	fi
}

# save_image IMAGE NAME: podman's IMAGE as $CRI_IMAGES/NAME.tar, once; a
# temporary name first, since another checkout's suite may be saving too.
save_image() {
	local tar=$CRI_IMAGES/$2.tar
	[[ -s $tar ]] && return
	podman save -q --format docker-archive -o "$tar.$$" "$1"
	mv "$tar.$$" "$tar"
}

# containerd_dir NAME: the directory of instance NAME; its socket is
# containerd.sock in it.
containerd_dir() {
	echo "$BATS_TEST_TMPDIR/containerd/$1"
}

# start_containerd NAME: start a containerd for node NAME, wait until its
# CRI plugin is ready, and import the test images into it.
start_containerd() {
	local dir
	dir=$(containerd_dir "$1")
	mkdir -p "$dir"/{root,state,opt,runc,cni/bin,cni/net.d}
	local snapshotter=overlayfs
	overlay_works "$dir" || snapshotter=native
	# The default spec, plus the hook at the stages of its hooks.d JSON
	# with the same arguments, so both registrations say the same, and
	# --node-name: one host plays every node, and the traces say which.
	local extra
	extra=$(printf '%s\n' "${CONTAINERD_HOOK_ARGS[@]}" --node-name "$1" | jq -R . | jq -sc .)
	ctr oci spec | jq --arg hook "$HOOK" --argjson extra "$extra" --slurpfile reg "$ROOT_DIR/hooks.d/oci-seccomp-bpf-hook.json" \
		'.hooks = ($reg[0].stages | map({(.): [{path: $hook, args: ($reg[0].hook.args + $extra)}]}) | add)' \
		>"$dir/base-spec.json"
	cat >"$dir/config.toml" <<-TOML
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]
		[grpc]
		  address = "$dir/containerd.sock"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$dir/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$CRI_PAUSE"
		  # This host withholds CAP_SYS_RESOURCE, which lowering a
		  # sandbox's oom_score_adj below containerd's own needs.
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    # overlayfs unless this filesystem cannot hold an overlay.
		    snapshotter = "$snapshotter"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      base_runtime_spec = "$dir/base-spec.json"
		      pod_annotations = ["io.containers.trace-syscall", "io.containers.trace-syscall/*"]
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        # runc's state, else in /run/containerd/runc.
		        Root = "$dir/runc"
		  # Host-network pods need no CNI; empty directories, so that the
		  # host's own CNI set-up is not read.
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$dir/cni/bin"
		    conf_dir = "$dir/cni/net.d"
	TOML
	containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 3>&- &
	echo $! >"$dir/containerd.pid"
	[[ -e $SHIM_RUN_DIR ]] || SHIM_RUN_DIR_MADE=1
	CONTAINERD_DIRS+=("$dir")
	"$CRI" -socket "$dir/containerd.sock" ready >/dev/null || { tail -20 "$dir/containerd.log"; return 1; }
	local image
	for image in busybox pause; do
		ctr -a "$dir/containerd.sock" -n k8s.io images import --snapshotter "$snapshotter" "$CRI_IMAGES/$image.tar" >/dev/null
	done
	"$CRI" -socket "$dir/containerd.sock" ready "$CRI_BUSYBOX" "$CRI_PAUSE" >/dev/null
}

# overlay_works DIR: whether an overlay mount works on DIR's filesystem;
# containerd's overlayfs snapshotter needs it, native does not.
overlay_works() {
	local d=$1/overlay-probe rc=0
	mkdir -p "$d"/{lower,upper,work,merged}
	mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/merged" 2>/dev/null || rc=$?
	((rc)) || umount "$d/merged"
	rm -rf "$d"
	return "$rc"
}

# cri_run NODE ARG...: run a pod on node NODE with the test's busybox
# (test/cri run; see its doc comment for ARG).
cri_run() {
	local node=$1
	shift
	"$CRI" -socket "$(containerd_dir "$node")/containerd.sock" run -image "$CRI_BUSYBOX" "$@"
}

# stop_containerds stops every instance this test started and removes
# all it left: pods through CRI first, so that shims, containers and
# mounts go the usual way; then containerd; then whatever a failed test
# left behind (containers through runc, shims, mounts).
stop_containerds() {
	local dir pid
	for dir in "${CONTAINERD_DIRS[@]}"; do
		"$CRI" -socket "$dir/containerd.sock" clean || true
		pid=$(cat "$dir/containerd.pid")
		kill "$pid" 2>/dev/null || true
		WAIT_SECONDS=20 wait_for exited "$pid" || kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		local id
		for id in $(runc --root "$dir/runc/k8s.io" list -q 2>/dev/null); do
			runc --root "$dir/runc/k8s.io" delete --force "$id" || true
		done
		# Shims name their containerd's socket; a dead containerd's would
		# run forever, and leave their own sockets, named by a hash of
		# that address, the namespace and the shim's id.
		for pid in $(pgrep -f -- "-address $dir/containerd.sock\$"); do
			id=$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n '/^-id$/{n;p}')
			kill -9 "$pid" || true
			rm -f "$SHIM_RUN_DIR/s/$(printf %s "$dir/containerd.sock/k8s.io/$id" | sha256sum | cut -c1-64)"
		done
		local mnt
		for mnt in $(awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
			umount -l "$mnt" || true
		done
		rm -rf "$dir"
	done
	CONTAINERD_DIRS=()
	[[ -z ${SHIM_RUN_DIR_MADE:-} ]] || rmdir "$SHIM_RUN_DIR/s" "$SHIM_RUN_DIR" 2>/dev/null || true
}

# exited PID: whether PID is gone or a zombie (containerd is this shell's
# child, so it stays a zombie until waited for).
exited() {
	local st
	st=$(ps -o stat= -p "$1") || return 0
	[[ $st == Z* ]]
}
