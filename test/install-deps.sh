#!/usr/bin/env bash
# Install the Debian 12 packages that building, testing and the demo need,
# and any more named as arguments (test/package.sh adds the packaging
# tools). Idempotent: does nothing when they are all installed already.
set -euo pipefail
pkgs=(
	podman runc crun conmon golang-github-containers-common containerd
	bats busybox-static debootstrap strace jq
	libseccomp-dev gcc make clang-14 llvm-14 libbpf-dev
	go-md2man
	"$@"
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q "${missing[@]}"
fi
# bpffs holds the shared recorder; the hook mounts it when missing, but a
# host without it is worth knowing about.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || true
