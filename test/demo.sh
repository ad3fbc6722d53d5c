#!/usr/bin/env bash
# make demo: trace `ls /` in a busybox container with the freshly built
# hook, print the profile, and run the container again under it.
set -euo pipefail
# The engine's default runtime, as a user would have it.
RUNTIME=${RUNTIME-}
source "$(dirname "$0")/helpers.bash"
[[ $(id -u) == 0 ]] || { echo "demo: run as root (the hook loads eBPF)" >&2; exit 1; }

prepare_env
build_images
out=$(mktemp -d)/ls.json

echo "+ podman run --annotation $ANNOTATION=of:$out $BUSYBOX ls /"
trace "of:$out" "$BUSYBOX" ls /
echo
echo "+ cat $out"
cat "$out"
echo
echo "+ podman run --security-opt seccomp=$out $BUSYBOX ls /"
podman_run --rm --security-opt "seccomp=$out" "$BUSYBOX" ls /
echo
echo "+ podman run --security-opt seccomp=$out $BUSYBOX mkdir /x   # never traced: blocked"
podman_run --rm --security-opt "seccomp=$out" "$BUSYBOX" mkdir /x || true
echo
echo "the traced profile allows $(syscalls "$out" | wc -l) syscalls;" \
	"the engine's default profile allows $(syscalls /usr/share/containers/seccomp.json | wc -l)"
