#!/usr/bin/env bats
# Kubernetes nodes, with podman standing in for CRI-O and containerd: the
# annotations those engines set are given by hand (issue: Kubernetes
# nodes).

bats_require_minimum_version 1.5.0
load helpers

setup() {
	[[ $(id -u) == 0 ]] || skip "requires root"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/out"
	POD=seccomp-hook-test-pod-$BATS_TEST_NUMBER
}

# A failed test must not leave its pod's containers running (and traced).
teardown() {
	podman pod rm -f "$POD" >/dev/null 2>&1 || true
}

# pod NAMESPACE POD CONTAINER: the annotations CRI-O sets on a container.
crio() { echo --annotation "io.kubernetes.pod.namespace=$1" --annotation "io.kubernetes.pod.name=$2" --annotation "io.kubernetes.container.name=$3"; }
# The same as containerd's CRI plugin sets them.
containerd() { echo --annotation "io.kubernetes.cri.sandbox-namespace=$1" --annotation "io.kubernetes.cri.sandbox-name=$2" --annotation "io.kubernetes.cri.container-name=$3" --annotation io.kubernetes.cri.container-type=container; }

@test "three replicas of one pod template write three files" {
	local value="of:$T/out/{namespace}-{pod}-{container}.json;tf:$T/out/{pod}.trace.json"
	local i
	for i in 1 2 3; do
		# shellcheck disable=SC2046
		run trace "$value" $(crio shop "web-$i" app) "$BUSYBOX" true
		check_status 0
	done
	for i in 1 2 3; do
		[[ -s $T/out/shop-web-$i-app.json && -s $T/out/web-$i.trace.json ]] || { ls "$T/out"; return 1; }
	done
	[[ $(ls "$T/out" | wc -l) == 6 ]]
	run trace "of:$T/out/{id}.json" "$BUSYBOX" true
	check_status 0
	[[ $(ls "$T/out" | wc -l) == 7 ]]
}

@test "the per-container key traces its own container and no other" {
	# shellcheck disable=SC2046
	run podman_run --rm --annotation "$ANNOTATION/app=of:$T/out/{container}.json" $(containerd shop web-1 app) "$BUSYBOX" echo traced
	check_status 0
	[[ -s $T/out/app.json ]]
	# shellcheck disable=SC2046
	run podman_run --rm --annotation "$ANNOTATION/app=of:$T/out/{container}.json" $(containerd shop web-1 sidecar) "$BUSYBOX" echo untraced
	check_status 0
	[[ $output == untraced && ! -e $T/out/sidecar.json ]]
	# A sandbox (pause) container gets pod annotations too, and is skipped.
	# shellcheck disable=SC2046
	run podman_run --rm --annotation "$ANNOTATION=of:$T/out/pause.json" $(containerd shop web-1 POD) \
		--annotation io.kubernetes.cri.container-type=sandbox "$BUSYBOX" true
	check_status 0
	[[ ! -e $T/out/pause.json ]]
	[[ $(ls "$T/out") == app.json ]]
}

@test "hostile placeholder values are refused and nothing is written outside" {
	mkdir "$T/out/sub"
	local bad
	for bad in "../../etc" ".." "a/b"; do
		# shellcheck disable=SC2046
		run ! podman_run --rm --annotation "$ANNOTATION=of:$T/out/sub/{pod}.json" $(crio shop "$bad" app) "$BUSYBOX" true
		[[ $output == *"{pod} (from io.kubernetes.pod.name"* ]] || { echo "$output"; return 1; }
	done
	run ! podman_run --rm --annotation "$ANNOTATION=of:$T/out/sub/{pod}.json" "$BUSYBOX" true
	[[ $output == *"{pod}"*"missing or empty"* ]] || { echo "$output"; return 1; }
	run ! podman_run --rm --annotation "$ANNOTATION=of:$T/out/{podname}.json" "$BUSYBOX" true
	[[ $output == *"unknown placeholder {podname}"* ]] || { echo "$output"; return 1; }
	[[ -z $(ls -A "$T/out/sub") && $(ls "$T/out") == sub ]]
	[[ ! -e $T/etc ]]
}

@test "a container without the annotation starts as if the hook were not there" {
	# containerd's base_runtime_spec runs the hook for every container.
	local hooks=$T/hooks.d
	hooks_dir_with "$hooks"
	jq '.when = {"always": true}' "$hooks/oci-seccomp-bpf-hook.json" >"$hooks/tmp.json"
	mv "$hooks/tmp.json" "$hooks/oci-seccomp-bpf-hook.json"
	run podman_run_in "$hooks" --rm "$BUSYBOX" echo untouched
	check_status 0
	[[ $output == untouched ]]
	# A malformed value still refuses the container.
	run ! podman_run_in "$hooks" --rm --annotation "$ANNOTATION/app=xf:/x" \
		--annotation io.kubernetes.cri.container-name=app "$BUSYBOX" true
	[[ $output == *"must start with"* ]] || { echo "$output"; return 1; }
}

@test "two containers of a pod that shares its PID namespace each get only their own calls" {
	# Kubernetes shareProcessNamespace, as a podman pod: the pod's infra
	# process is PID 1, and each container has a mount namespace of its own.
	local pod=$POD
	podman pod create --name "$pod" --share pid,ipc,uts >/dev/null
	mkdir "$T/sync"
	local go='until [ -e /sync/go ]; do sleep 0.05; done'
	podman_run -d --pod "$pod" --name "$pod-a" -v "$T/sync:/sync" \
		--annotation "$ANNOTATION=of:$T/a.json" "$BUSYBOX" sh -c "$go; mkdir /tmp/a" >/dev/null
	podman_run -d --pod "$pod" --name "$pod-b" -v "$T/sync:/sync" \
		--annotation "$ANNOTATION=of:$T/b.json" "$BUSYBOX" sh -c "$go; ln -s /x /tmp/b" >/dev/null
	# They do share the PID namespace: each sees the other's sh, once
	# both runtimes have exec'd them.
	both_waiting() { [[ $(podman exec "$pod-a" ps -o args | grep -c '^sh -c until') == 2 ]]; }
	wait_for both_waiting
	touch "$T/sync/go"
	podman wait "$pod-a" "$pod-b" >/dev/null
	podman pod rm -f "$pod" >/dev/null
	wait_for test -s "$T/a.json" -a -s "$T/b.json"
	assert_allows "$T/a.json" mkdir
	refute_allows "$T/a.json" symlink
	assert_allows "$T/b.json" symlink
	refute_allows "$T/b.json" mkdir
}
