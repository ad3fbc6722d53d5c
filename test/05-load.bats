#!/usr/bin/env bats
# Load: 32 containers traced at once, each running a multi-threaded
# program that makes an exactly known number of calls of a known set of
# syscalls. Every profile has exactly its set and every count is exact.

load helpers

MARKERS=(getsid getpriority sched_get_priority_max sched_get_priority_min sysinfo)
THREADS=4
COUNT=2500

@test "32 containers traced at once: exact sets, exact counts, nothing lost" {
	mkdir "$T/sync"
	local i names=()
	for i in $(seq 0 31); do
		local mask=$((i % 31 + 1))
		podman_run -d --name "load-$i-$$" -v "$T/sync:/sync" -v "$PROGS:/progs:ro" \
			--annotation "$ANNOTATION=of:$T/$i.json;tf:$T/$i.trace.json" "$BUSYBOX" \
			sh -c "until [ -e /sync/go ]; do sleep 0.05; done; /progs/syscalls -t $THREADS -n $COUNT -m $mask" >/dev/null
		names+=("load-$i-$$")
	done
	touch "$T/sync/go"
	podman wait "${names[@]}" >/dev/null
	podman rm "${names[@]}" >/dev/null
	local total=0
	for i in $(seq 0 31); do
		local mask=$((i % 31 + 1)) m
		wait_for test -s "$T/$i.trace.json"
		for m in "${!MARKERS[@]}"; do
			local name=${MARKERS[$m]}
			local count
			count=$(jq --arg n "$name" '[.syscalls[] | select(.name == $n) | .count] | add // 0' "$T/$i.trace.json")
			if ((mask & (1 << m))); then
				[[ $count == $((THREADS * COUNT)) ]] || { echo "container $i: $name counted $count"; return 1; }
				assert_allows "$T/$i.json" "$name"
				total=$((total + count))
			else
				[[ $count == 0 ]] || { echo "container $i: $name (not its own) counted $count"; return 1; }
				refute_allows "$T/$i.json" "$name"
			fi
		done
	done
	echo "# 32 containers, $total marker syscalls counted exactly, 0 lost" >&3
}
