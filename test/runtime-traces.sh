#!/usr/bin/env bash
# make runtime-traces: regenerate compiler/profile/runtimes/RUNTIME.json,
# the trace of each OCI runtime's own calls that `oci-seccomp-compiler
# compile --runtime RUNTIME` adds to a profile.
#
# For each runtime of RUNTIMES (default "runc crun"), it traces
# `busybox true` RUNTIME_TRACE_RUNS times (default 20) without and as many
# with --security-opt no-new-privileges (which moves the filter install
# from early to right before execve), with the freshly built hook under
# real podman, merges the traces and keeps the runtime's calls only: the
# entries with a runtime count, their count set to it (or to what their
# recorded argument values add up to, if more: the recorder does not split
# those between runtime and workload), every call the runtime's. The
# result is learned data, not byte-reproducible (counts and which
# timing-dependent calls appear vary from run to run), so CI does not
# regenerate and diff it: commit it when it changes what it allows.
#
# Another runtime or version: install it where podman finds it
# (`podman --runtime NAME`), run `make runtime-traces RUNTIMES=NAME` as
# root, and commit compiler/profile/runtimes/NAME.json; --runtime
# then knows NAME.
set -euo pipefail
source "$(dirname "$0")/helpers.bash"
[[ $(id -u) == 0 ]] || { echo "runtime-traces: run as root (the hook loads eBPF)" >&2; exit 1; }

RUNS=${RUNTIME_TRACE_RUNS:-20}
OUT_DIR=$ROOT_DIR/compiler/profile/runtimes
work=$(mktemp -d /var/tmp/runtime-traces.XXXXXX)
trap 'rm -rf "$work"' EXIT

# runtime_only TRACE: the runs of TRACE with the runtime's calls only, as
# a trace without its summary (merge computes it).
runtime_only() {
	jq '{version, runs: [.runs[] | .syscalls |= [.[]
		| select((.runtimeCount // 0) > 0)
		| .count = ([.runtimeCount, ((.args // [])[] | ([.values[]?.count] | add // 0) + (.overflow // 0))] | max)
		| .runtimeCount = .count]]}' "$1"
}

for RUNTIME in ${RUNTIMES:-runc crun}; do
	export RUNTIME CONTAINERS_CONF=$WORK_DIR/containers-$RUNTIME.conf
	prepare_env
	build_images
	version=$("$RUNTIME" --version | head -1)
	echo "== $version: $RUNS runs of busybox true, and $RUNS with no-new-privileges"
	traces=()
	for i in $(seq "$RUNS"); do
		for nnp in "" no-new-privileges; do
			t=$work/$RUNTIME-$i${nnp:+-nnp}.json
			trace "of:$work/profile.json;tf:$t" ${nnp:+--security-opt "$nnp"} "$BUSYBOX" true
			traces+=("$t")
		done
	done
	"$COMPILER" merge -o "$work/$RUNTIME-all.json" "${traces[@]}"
	runtime_only "$work/$RUNTIME-all.json" >"$work/$RUNTIME-runtime.json"
	"$COMPILER" merge -o "$OUT_DIR/$RUNTIME.json" "$work/$RUNTIME-runtime.json"
	echo "$OUT_DIR/$RUNTIME.json: $(jq '.runs | length' "$OUT_DIR/$RUNTIME.json") runs," \
		"$(jq '[.syscalls[].name] | unique | length' "$OUT_DIR/$RUNTIME.json") syscalls:" \
		"$(jq -r '[.syscalls[] | "\(.name) \(.runs)"] | join(", ")' "$OUT_DIR/$RUNTIME.json")"
done
