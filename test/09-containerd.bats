#!/usr/bin/env bats
# Kubernetes nodes for real: containerd 1.6 with its CRI plugin, the hook
# in base_runtime_spec as README.md's containerd recipe says, and test/cri
# in kubelet's place (test/containerd.bash). containerd runs containers
# through its own runc shim, whatever podman's runtime, so this file runs
# once, under RUNTIME=runc.

bats_require_minimum_version 1.5.0
load helpers
load containerd

setup_file() {
	[[ $(id -u) == 0 && ${RUNTIME:-runc} == runc ]] || return 0
	build_cri
}

setup() {
	[[ $(id -u) == 0 ]] || skip "requires root"
	[[ ${RUNTIME:-runc} == runc ]] || skip "containerd runs containers with its own runc shim: tested under RUNTIME=runc only"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/out"
	# As README.md's recipe recommends for every node.
	CONTAINERD_HOOK_ARGS=(--allow-dir "$T/out")
	# The pod template of every test: trace container app, one file per
	# replica thanks to the placeholders.
	TRACE_APP="$ANNOTATION/app=of:$T/out/{namespace}-{pod}-{container}.json;tf:$T/out/{pod}.trace.json"
}

teardown() {
	stop_containerds
}

WORKLOAD=(sh -c 'mkdir /tmp/x && echo ok')
# The same workload, plus a call it never made.
BLOCKED=(sh -c 'mkdir /tmp/x && rmdir /tmp/x && echo ok')

@test "one node: a pod annotation traces its container, whose profile then runs it and refuses the rest" {
	start_containerd node
	run cri_run node -namespace shop -pod web -pod-annotation "$TRACE_APP" \
		-container app -container sidecar -- "${WORKLOAD[@]}"
	check_status 0
	[[ $output == $'app: ok\napp: exit code 0\nsidecar: ok\nsidecar: exit code 0' ]] || { echo "$output"; return 1; }
	wait_for test -s "$T/out/shop-web-app.json"
	wait_for test -s "$T/out/web.trace.json"
	assert_allows "$T/out/shop-web-app.json" mkdir execve
	refute_allows "$T/out/shop-web-app.json" rmdir
	# Neither the sidecar nor the sandbox (pause) container, which the
	# pod annotation reaches too, was traced.
	[[ $(ls "$T/out") == $'shop-web-app.json\nweb.trace.json' ]] || { ls "$T/out"; return 1; }

	# The profile as kubelet passes it: Localhost, an absolute path.
	run cri_run node -namespace shop -pod web-2 -seccomp "$T/out/shop-web-app.json" -- "${WORKLOAD[@]}"
	check_status 0
	[[ $output == $'app: ok\napp: exit code 0' ]] || { echo "$output"; return 1; }
	run cri_run node -namespace shop -pod web-3 -seccomp "$T/out/shop-web-app.json" -- "${BLOCKED[@]}"
	check_status 1
	[[ $output == *"app: rmdir: '/tmp/x': Operation not permitted"* && $output != *"app: ok"* ]] || { echo "$output"; return 1; }
	[[ $(ls "$T/out" | wc -l) == 2 ]]
}

@test "a container in a pod without the annotation starts although the hook is in base_runtime_spec" {
	start_containerd node
	run cri_run node -pod plain -- echo untouched
	check_status 0
	[[ $output == $'app: untouched\napp: exit code 0' ]] || { echo "$output"; return 1; }
	[[ -z $(ls -A "$T/out") ]]
	# The hook does run for every container of the node: a malformed value
	# refuses the container it names.
	run cri_run node -pod bad -pod-annotation "$ANNOTATION/app=xf:/x" -- echo started
	check_status 125
	[[ $output == *"must start with"* && $output != *started* ]] || { echo "$output"; return 1; }
	# With the recipe's --allow-dir.
	run cri_run node -pod elsewhere -pod-annotation "$ANNOTATION=of:$T/x.json" -- echo started
	check_status 125
	[[ $output == *"refused: outside the allowed directories"* && $output != *started* ]] || { echo "$output"; return 1; }
	[[ ! -e $T/x.json ]]
}

# three_replicas: three nodes, one replica of the pod template on each
# (pods web-1, web-2, web-3 of namespace shop), and their traces merged
# into $T/merged.json.
three_replicas() {
	local n
	for n in 1 2 3; do
		start_containerd "node-$n"
	done
	for n in 1 2 3; do
		run cri_run "node-$n" -namespace shop -pod "web-$n" -pod-annotation "$TRACE_APP" -- "${WORKLOAD[@]}"
		check_status 0
		[[ $output == $'app: ok\napp: exit code 0' ]] || { echo "$output"; return 1; }
	done
	for n in 1 2 3; do
		wait_for test -s "$T/out/shop-web-$n-app.json"
		wait_for test -s "$T/out/web-$n.trace.json"
	done
	run "$COMPILER" merge -o "$T/merged.json" "$T/out/web-1.trace.json" "$T/out/web-2.trace.json" "$T/out/web-3.trace.json"
	check_status 0
	[[ $(jq '.runs | length' "$T/merged.json") == 3 ]]
}

@test "three nodes: a replica on each traced, the traces merged and compiled, the profile runs the workload on a node" {
	three_replicas
	[[ $(ls "$T/out" | wc -l) == 6 ]]
	run "$COMPILER" compile -o "$T/app.json" "$T/merged.json"
	check_status 0
	assert_allows "$T/app.json" mkdir execve
	run cri_run node-2 -namespace shop -pod web-4 -seccomp "$T/app.json" -- "${WORKLOAD[@]}"
	check_status 0
	[[ $output == $'app: ok\napp: exit code 0' ]] || { echo "$output"; return 1; }
	run cri_run node-2 -namespace shop -pod web-5 -seccomp "$T/app.json" -- "${BLOCKED[@]}"
	check_status 1
	[[ $output == *"app: rmdir: '/tmp/x': Operation not permitted"* && $output != *"app: ok"* ]] || { echo "$output"; return 1; }
}

@test "three nodes: the merged trace names the node, pod and container of every run" {
	three_replicas
	# Each instance's hook has --node-name (containerd.bash).
	jq -e '([.runs[] | [.node, .pod, .container]] | sort)
		== [["node-1", "web-1", "app"], ["node-2", "web-2", "app"], ["node-3", "web-3", "app"]]
		and all(.runs[]; .namespace == "shop")' "$T/merged.json" ||
		{ jq -c '.runs[] | [.node, .namespace, .pod, .container]' "$T/merged.json"; return 1; }
}
