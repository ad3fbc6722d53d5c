#!/usr/bin/env bash
# make bench: what tracing costs, measured side by side on the real podman
# + runc + eBPF stack. Prints a table, writes it to build/bench.md and,
# with every sample, to build/bench.json. docs/benchmarks.md explains each
# row. Needs root; takes a few minutes.
#
# Everything runs against a recorder of its own (--pin-dir and --run-dir
# below, in the hooks.d JSON of its own work directory), so the default
# recorder that the system tests and users share is never touched. Every
# container, process and pin it makes is removed on exit, however it
# exits.
#
# Knobs (environment):
#   BENCH_SECTIONS   which parts to run (default: all of
#                    "latency podman container host compiler"; memory is
#                    sampled by "host")
#   BENCH_RUNS       hook latency runs per series (30)
#   BENCH_PAIRS      podman run traced/untraced pairs (25)
#   BENCH_LOOP       getppid calls per loop of test/bench/loop.c (2000000)
#   BENCH_STRACE_LOOP  the same under strace, which is ~100x slower (50000)
#   BENCH_ROUNDS     in-container rounds, each running every variant (15)
#   BENCH_STAT_ROUNDS  in-container loops timing the programs beside each other (3)
#   BENCH_SAMPLES    host loops per level and visit (5)
#   BENCH_LEVELS     traced container counts for the host rows (0 1 8 32)
#   BENCH_CYCLES     how often the host rows go up and down the levels (2)
#   BENCH_TRACES     traces for the compiler (1000); BENCH_COMPILES runs (3)
#   BENCH_OUT        where bench.json and bench.md go (build/)
set -euo pipefail

export TEST_WORK_DIR=${BENCH_WORK_DIR:-/var/tmp/oci-seccomp-bpf-hook-bench}
# shellcheck source=test/helpers.bash
source "$(dirname "$0")/helpers.bash"
# Always through the bench's hooks.d, also with HOOK_INSTALLED=1 (which
# then benchmarks the installed binary).
HOOKS_DIR_ARGS=(--hooks-dir "$WORK_DIR/hooks.d")

SECTIONS=${BENCH_SECTIONS:-latency podman container host compiler}
RUNS=${BENCH_RUNS:-30}
PAIRS=${BENCH_PAIRS:-25}
LOOP=${BENCH_LOOP:-2000000}
STRACE_LOOP=${BENCH_STRACE_LOOP:-50000}
ROUNDS=${BENCH_ROUNDS:-15}
STAT_ROUNDS=${BENCH_STAT_ROUNDS:-3}
SAMPLES=${BENCH_SAMPLES:-5}
CYCLES=${BENCH_CYCLES:-2}
read -r -a LEVELS <<<"${BENCH_LEVELS:-0 1 8 32}"
NTRACES=${BENCH_TRACES:-1000}
COMPILES=${BENCH_COMPILES:-3}
OUT_DIR=${BENCH_OUT:-$ROOT_DIR/build}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

# The bench's own recorder, status files and containers.
PIN=/sys/fs/bpf/oci-seccomp-bpf-hook-bench
RUN=/run/oci-seccomp-bpf-hook-bench
LABEL=oci-seccomp-bpf-hook-bench
B=$WORK_DIR/run          # this run's scratch space, emptied at start
S=$B/samples             # one file per series, one sample a line

log() { printf '%s bench: %s\n' "$(date +%T)" "$*" >&2; }
die() {
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}
has() { [[ " $SECTIONS " == *" $1 "* ]]; }

# --- Prerequisites ----------------------------------------------------------

check_prereqs() {
	[[ $(id -u) == 0 ]] || die "run as root: the hook loads eBPF and podman runs rootful"
	local c
	for c in podman runc strace jq gcc unshare flock pgrep awk; do
		command -v "$c" >/dev/null || die "$c not found (make deps installs the packages)"
	done
	[[ -x $GO ]] || die "go not found (set GO, or add /usr/local/go/bin to PATH)"
	[[ -x $HOOK ]] || die "$HOOK missing: run make build (make bench does)"
	if has compiler; then
		[[ -x $COMPILER ]] || die "$COMPILER missing: run make build (make bench does)"
	fi
	[[ -r /sys/kernel/btf/vmlinux ]] || die "no kernel BTF (/sys/kernel/btf/vmlinux): the recorder needs it"
	mountpoint -q /sys/fs/bpf || die "bpffs is not mounted on /sys/fs/bpf"
	podman image exists "$BUSYBOX" || [[ -x /bin/busybox ]] ||
		die "/bin/busybox missing (package busybox-static) for the test image"
	local s
	for s in $SECTIONS; do
		[[ " latency podman container host compiler " == *" $s "* ]] || die "unknown section $s in BENCH_SECTIONS"
	done
}

# --- Clean-up ---------------------------------------------------------------

FLOOR_PID=
FLOOR_FD=
FAILED=() # measurements that could not be made; make bench fails after the report

# tracer_pids: the tracers of this bench's containers, told from others'
# by their status file (descriptor 6, inherited from prestart) in $RUN.
tracer_pids() {
	local p
	for p in $(pgrep -f '^oci-seccomp-bpf-hook tracer ' || true); do
		[[ $(readlink "/proc/$p/fd/6" 2>/dev/null) != "$RUN"/* ]] || echo "$p"
	done
}

# wait_tracers SECONDS: wait until no tracer of this bench runs.
wait_tracers() {
	local deadline=$((SECONDS + $1))
	while [[ -n $(tracer_pids) ]]; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
}

remove_containers() {
	local ids
	ids=$(podman ps -aq --filter "label=$LABEL" 2>/dev/null || true)
	[[ -z $ids ]] || podman rm -f -t0 $ids >/dev/null 2>&1 || true
}

# remove_pins: removing the link's pin detaches the program, removing the
# rest frees the pinned program and maps. Only the bench's recorder is
# pinned in $PIN.
remove_pins() {
	rm -f "$PIN/link"
	rm -f "$PIN"/*
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	((rc == 0)) || log "stopped (exit $rc): cleaning up"
	[[ -z $FLOOR_PID ]] || kill "$FLOOR_PID" 2>/dev/null # unpinned: detaches as it exits
	local p
	for p in "${!NS_LIVE[@]}"; do
		kill -KILL "$p" 2>/dev/null # the init of a PID namespace: only KILL
	done
	remove_containers
	if ! wait_tracers 20; then
		for p in $(tracer_pids); do
			log "killing tracer $p, still running after its container stopped"
			kill -KILL "$p" 2>/dev/null
		done
		wait_tracers 5
	fi
	# The tracers are gone: removing the link's pin detaches the program,
	# removing the rest frees the pinned program and maps.
	if [[ -d $PIN ]]; then
		remove_pins
		rmdir "$PIN" 2>/dev/null || log "$PIN not empty after clean-up"
	fi
	if [[ -d $RUN ]]; then
		cp -f "$RUN/hook.log" "$B/hook.log" 2>/dev/null
		rm -rf "$RUN"
	fi
	exit "$rc"
}

# --- Helpers ----------------------------------------------------------------

# now VAR: set VAR to microseconds since the epoch, without a fork.
now() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }

# add SERIES VALUE: append a sample.
add() { echo "$2" >>"$S/$1"; }

# stats SERIES: "median p90 n" of the series (p90 by nearest rank).
stats() {
	sort -g "$S/$1" | awk '{ a[NR] = $1 }
		END {
			if (NR == 0) { print "nan nan 0"; exit }
			m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			k = int(0.9 * NR); if (k < 0.9 * NR) k++; if (k < 1) k = 1
			printf "%.6g %.6g %d\n", m, a[k], NR
		}'
}
median() { stats "$1" | cut -d' ' -f1; }
calc() { awk "BEGIN { printf \"%.6g\", $* }"; }
fmt() { awk -v v="$1" -v p="${2:-1}" 'BEGIN { printf "%.*f", p, v }'; }
sfmt() { awk -v v="$1" -v p="${2:-1}" 'BEGIN { printf "%+.*f", p, v }'; } # with its sign
minimum() { sort -g "$S/$1" | head -1; }

# row SECTION NAME RESULT [TARGET VALUE MAX]: a table row; with a target,
# PASS when VALUE <= MAX.
row() {
	local verdict=""
	if (($# > 3)); then
		verdict=$(awk -v v="$5" -v t="$6" 'BEGIN { print (v <= t) ? "PASS" : "FAIL" }')
	fi
	jq -cn --arg section "$1" --arg name "$2" --arg result "$3" --arg target "${4:-}" \
		--arg value "${5:-}" --arg max "${6:-}" --arg verdict "$verdict" \
		'{section: $section, name: $name, result: $result}
		 + (if $target == "" then {} else
			{target: $target, value: ($value | tonumber), max: ($max | tonumber), pass: ($verdict == "PASS")} end)' \
		>>"$B/rows.jsonl"
}

# measure SERIES EXPECTED CMD...: run CMD, a getppid loop printing
# test/bench/loop.c's output, and record it in SERIES. A program on
# sys_enter slows every syscall on the host, so when more than EXPECTED
# are attached before or after the loop (another user's recorder, e.g. a
# system test's), the sample is taken again, up to 3 times, and counted
# in the series "interfered" (or "interfered_kept" for the third try).
measure() {
	local series=$1 expected=$2 try out before after
	shift 2
	for try in 1 2 3; do
		before=$("$B/bin/floor" -count)
		out=$("$@") || die "loop failed: $*"
		after=$("$B/bin/floor" -count)
		if ((before <= expected && after <= expected)); then
			break
		elif ((try < 3)); then
			add interfered "$series"
		else
			add interfered_kept "$series"
		fi
	done
	add_loop "$series" "$out"
}

# add_loop SERIES OUTPUT: record what test/bench/loop.c printed: CPU ns
# per call in SERIES, wall-clock ns per call in SERIES_wall.
add_loop() {
	local cpu wall
	read -r cpu wall <<<"$2"
	[[ -n $wall ]] || die "unexpected output of the loop: $2"
	add "$1" "$cpu"
	add "$1_wall" "$wall"
}

# host_loop SERIES EXPECTED: one getppid loop on the host, outside any
# container, with EXPECTED programs on sys_enter.
host_loop() {
	measure "$1" "$2" "$B/bin/loop" -n "$LOOP"
}

# floor_start [FLAG...]: start test/bench/floor (the empty program on
# sys_enter, unless FLAG says otherwise) and wait until it is attached.
floor_start() {
	rm -f "$B/floor.in" "$B/floor.out"
	mkfifo "$B/floor.in"
	"$B/bin/floor" "$@" <"$B/floor.in" >"$B/floor.out" &
	FLOOR_PID=$!
	exec {FLOOR_FD}>"$B/floor.in"
	local deadline=$((SECONDS + 10))
	until grep -qx attached "$B/floor.out" 2>/dev/null; do
		kill -0 "$FLOOR_PID" 2>/dev/null || die "floor program failed to attach"
		((SECONDS < deadline)) || die "floor program did not attach within 10s"
		sleep 0.01
	done
}

floor_stop() {
	[[ -n $FLOOR_PID ]] || return 0
	exec {FLOOR_FD}>&-
	wait "$FLOOR_PID" || die "floor program failed"
	FLOOR_PID=
}

# wait_file PATH: poll for a file, up to 20 s.
wait_file() {
	local deadline=$((SECONDS + 20))
	until [[ -s $1 ]]; do
		((SECONDS < deadline)) || die "timed out waiting for $1"
		sleep 0.01
	done
}

bench_run() { podman_run --label "$LABEL" "$@"; }

# --- 1. Hook latency --------------------------------------------------------

# ns_start FIFO: a stand-in container init in a new PID namespace
# (test/bench/nsinit.c), blocked until a line arrives on FIFO. Sets
# NS_INIT to its PID as seen from here.
declare -A NS_LIVE # init PID -> unshare's PID, while it runs
ns_start() {
	mkfifo "$1"
	unshare -p -f "$B/bin/nsinit" "$1" &
	local parent=$! deadline=$((SECONDS + 5))
	NS_INIT=
	until [[ -n $NS_INIT ]]; do
		NS_INIT=$(tr -d ' ' 2>/dev/null <"/proc/$parent/task/$parent/children" || true)
		((SECONDS < deadline)) || die "no process in a new PID namespace"
		[[ -n $NS_INIT ]] || sleep 0.005
	done
	NS_LIVE[$NS_INIT]=$parent
}

# ns_finish FIFO INIT: let the namespace's init go on and exit.
ns_finish() {
	echo >"$1"
	wait "${NS_LIVE[$2]}" || true
	unset "NS_LIVE[$2]"
	rm -f "$1"
}

# state ID PID OUT: a synthetic OCI state for the prestart hook.
state() {
	jq -cn --arg id "$1" --argjson pid "$2" --arg a "of:$3" \
		'{ociVersion: "1.0.2", id: $id, status: "created", pid: $pid, bundle: "/nonexistent",
		  annotations: {"io.containers.trace-syscall": $a}}'
}

# hook_once N SERIES: time the prestart hook for a synthetic container,
# in ms, from its start to its return.
hook_once() {
	local n=$1 out=$B/latency/out-$1.json fifo=$B/latency/go-$1 t0 t1
	ns_start "$fifo"
	state "bench-$n" "$NS_INIT" "$out" >"$B/latency/state.json"
	now t0
	"$HOOK" -s --run-dir "$RUN" --pin-dir "$PIN" <"$B/latency/state.json" 2>"$B/latency/err" ||
		die "hook failed: $(cat "$B/latency/err")"
	now t1
	add "$2" "$(calc "($t1 - $t0) / 1000")"
	ns_finish "$fifo" "$NS_INIT"
	wait_file "$out"
	assert_allows "$out" prctl getppid >&2 || die "the profile of run $n misses the calls it made"
}

bench_latency() {
	mkdir -p "$B/latency"
	log "hook latency: $RUNS runs attaching the recorder, $RUNS joining it"
	local i
	for ((i = 0; i < RUNS; i++)); do
		hook_once "cold-$i" latency_cold
		wait_tracers 10 || die "tracer of run $i did not finish"
	done
	# An anchor target keeps the recorder attached: each run then joins it.
	local anchor=$B/latency/go-anchor anchor_init
	ns_start "$anchor"
	anchor_init=$NS_INIT
	state bench-anchor "$anchor_init" "$B/latency/out-anchor.json" |
		"$HOOK" -s --run-dir "$RUN" --pin-dir "$PIN" 2>"$B/latency/err" ||
		die "hook failed: $(cat "$B/latency/err")"
	for ((i = 0; i < RUNS; i++)); do
		hook_once "warm-$i" latency_warm
	done
	ns_finish "$anchor" "$anchor_init"
	wait_file "$B/latency/out-anchor.json"
	wait_tracers 10 || die "tracers did not finish"

	local m p n
	read -r m p n < <(stats latency_cold)
	row latency "hook latency, first tracer (loads and attaches the recorder)" \
		"$(fmt "$m") ms median, $(fmt "$p") ms p90 (n=$n)" "≤ 30 ms median" "$m" 30
	read -r m p n < <(stats latency_warm)
	row latency "hook latency, recorder already attached (joins it)" \
		"$(fmt "$m") ms median, $(fmt "$p") ms p90 (n=$n)" "≤ 30 ms median" "$m" 30
}

# --- podman run traced vs untraced -------------------------------------------

podman_once() {
	local t0 t1
	if [[ $1 == traced ]]; then
		local out=$B/podman/out-$2.json
		now t0
		bench_run --rm --annotation "$ANNOTATION=of:$out" "$BUSYBOX" true
		now t1
		[[ -s $out ]] || die "podman run returned before the profile $out was written"
	else
		now t0
		bench_run --rm "$BUSYBOX" true
		now t1
	fi
	add "podman_$1" "$(calc "($t1 - $t0) / 1000")"
}

bench_podman() {
	mkdir -p "$B/podman"
	log "podman run --rm busybox true: $PAIRS traced/untraced pairs"
	bench_run --rm "$BUSYBOX" true # warm the image and podman's caches
	local i u t
	for ((i = 0; i < PAIRS; i++)); do
		# Alternate which goes first, so neither always runs on a warm cache.
		if ((i % 2)); then
			podman_once traced "$i"
			podman_once untraced "$i"
		else
			podman_once untraced "$i"
			podman_once traced "$i"
		fi
		u=$(tail -1 "$S/podman_untraced")
		t=$(tail -1 "$S/podman_traced")
		add podman_ratio "$(calc "$t / $u")"
	done
	local r
	r=$(median podman_ratio)
	row podman "podman run --rm busybox true, traced / untraced" \
		"$(fmt "$(median podman_traced)") / $(fmt "$(median podman_untraced)") ms = $(fmt "$r" 2)× (median of $PAIRS pairs)" \
		"≤ 1.25×" "$r" 1.25
}

# --- 2. In-container overhead -----------------------------------------------

# container_loop VARIANT ROUND: one loop of the in-container rows. The
# traced container's recorder is attached only while it runs, so no
# program is expected around the loop but the floor's.
container_loop() {
	local variant=$1 round=$2
	local args=(--rm -v "$B/bin:/bench:ro" "$BUSYBOX" /bench/loop -n "$LOOP")
	case $variant in
	untraced)
		measure container_untraced 0 bench_run "${args[@]}"
		;;
	traced)
		local out=$B/container/out-$round.json
		measure container_traced 0 bench_run --annotation "$ANNOTATION=of:$out" "${args[@]}"
		assert_allows "$out" getppid >&2 || die "traced loop: profile misses getppid"
		;;
	floor)
		floor_start
		measure container_floor 1 bench_run "${args[@]}"
		floor_stop
		;;
	strace)
		measure container_strace 0 strace -f -c -o /dev/null "$B/bin/loop" -n "$STRACE_LOOP"
		;;
	esac
}

# prog_stats: the run time and run count of the bench's pinned sys_enter.
prog_stats() { "$B/bin/floor" -prog-stats "$PIN/sys_enter" || die "read the recorder's run time"; }

# own_time SERIES EXPECTED CMD...: the programs' own time per run, from
# the kernel's BPF statistics (on only here: they cost every program run
# two clock reads), while CMD runs a loop with the empty program attached
# beside the recorder. Both programs run for the same calls at the same
# moment, so the difference of their times is what recording adds,
# free of this machine's drift, which moves a loop's time by ±15% from
# one second to the next (docs/benchmarks.md). Series SERIES_recorder,
# SERIES_floor and SERIES_added, in ns a run; the loop itself goes into
# SERIES_loop. EXPECTED is as for measure, the empty program included.
own_time() {
	local series=$1 expected=$2 out t0 n0 t1 n1 ft fn r f
	shift 2
	floor_start -stats
	out=$(prog_stats)
	read -r t0 n0 <<<"$out"
	measure "${series}_loop" "$expected" "$@"
	out=$(prog_stats)
	read -r t1 n1 <<<"$out"
	floor_stop
	((n1 > n0)) || die "the recorder did not run during $*"
	out=$(grep '^stats ' "$B/floor.out") || die "no statistics from the floor program"
	read -r _ ft fn <<<"$out"
	r=$(calc "($t1 - $t0) / ($n1 - $n0)")
	f=$(calc "$ft / $fn")
	add "${series}_recorder" "$r"
	add "${series}_floor" "$f"
	add "${series}_added" "$(calc "$r - $f")"
}

# own_row SECTION NAME SERIES FLOOR [TARGET]: the row of own_time's
# series: the recording's added time, and the loop's ratio to FLOOR (ns
# a call) that this adds up to. With TARGET (a ratio), a verdict on it.
own_row() {
	local r f a n ratio
	r=$(median "$3_recorder")
	f=$(median "$3_floor")
	a=$(median "$3_added")
	n=$(wc -l <"$S/$3_added")
	ratio=$(calc "($4 + $a) / $4")
	local result
	result="$(fmt "$r") / $(fmt "$f") ns a run: the recording adds $(sfmt "$a") ns = $(fmt "$ratio" 3)× the floor's $(fmt "$4") ns a call (median of $n)"
	if [[ -n ${5:-} ]]; then
		row "$1" "$2" "$result" "≤ $5× the floor" "$ratio" "$5"
	else
		row "$1" "$2" "$result"
	fi
}

# jit_calls: the call instructions left in the recorder's machine code
# (floor -jited; objdump, as Debian's bpftool cannot disassemble), each a
# helper on a path a syscall takes only rarely, listed in
# docs/benchmarks.md. Written to $B/container/jited.txt.
jit_calls() {
	local march
	case $(uname -m) in
	x86_64) march=i386:x86-64 ;;
	aarch64) march=aarch64 ;;
	*) return 0 ;;
	esac
	command -v objdump >/dev/null || return 0
	"$B/bin/floor" -jited "$PIN/sys_enter" >"$B/container/jited.bin" || die "dump the recorder's JIT image"
	objdump -D -b binary -m"$march" "$B/container/jited.bin" >"$B/container/jited.txt"
	local n
	n=$(grep -cE '\s(call|bl)\s' "$B/container/jited.txt" || true)
	row container "call instructions in the recorder's JIT image (objdump of floor -jited)" \
		"$n, none on the paths of host processes or of recorded calls seen before on their CPU (docs/benchmarks.md)"
}

bench_container() {
	mkdir -p "$B/container"
	log "in-container getppid loop: $ROUNDS rounds of untraced, floor, strace, traced"
	# In this order, rotated each round, the traced loop never directly
	# follows the floor's: right after the floor program is detached and
	# freed, a loop ran 15-40 ns a call slower for about a second here,
	# whatever program was then attached (an empty one in the recorder's
	# place included). strace or the untraced loop in between lets that
	# pass.
	local variants=(untraced floor strace traced) i j
	for ((i = 0; i < ROUNDS; i++)); do
		# Rotate the order each round.
		for ((j = 0; j < ${#variants[@]}; j++)); do
			container_loop "${variants[(i + j) % ${#variants[@]}]}" "$i"
		done
		add container_traced_floor "$(calc "$(tail -1 "$S/container_traced") / $(tail -1 "$S/container_floor")")"
	done
	# The recorder is pinned by now (prog_stats reads it).
	for ((i = 0; i < STAT_ROUNDS; i++)); do
		own_time container_own 1 bench_run --annotation "$ANNOTATION=of:$B/container/stats-$i.json" \
			--rm -v "$B/bin:/bench:ro" "$BUSYBOX" /bench/loop -n "$LOOP"
	done
	local u f t r uw sw
	u=$(median container_untraced)
	f=$(median container_floor)
	t=$(median container_traced)
	r=$(median container_traced_floor)
	uw=$(median container_untraced_wall)
	sw=$(median container_strace_wall)
	row container "getppid in a container, untraced" \
		"$(fmt "$u") ns/call (wall $(fmt "$uw"))"
	row container "getppid in a container, empty program on sys_enter (the floor)" \
		"$(fmt "$f") ns/call = $(fmt "$(calc "$f / $u")" 2)× untraced ($(sfmt "$(calc "$f - $u")" 0) ns; wall $(fmt "$(median container_floor_wall)"))"
	row container "getppid in a container, traced" \
		"$(fmt "$t") ns/call = $(fmt "$r" 2)× the floor (median of $ROUNDS rounds; $(sfmt "$(calc "$t - $f")" 0) ns; fastest of each $(fmt "$(calc "$(minimum container_traced) / $(minimum container_floor)")" 2)×), $(fmt "$(calc "$t / $u")" 2)× untraced (wall $(fmt "$(median container_traced_wall)"))" \
		"≤ 1.05× the floor" "$r" 1.05
	# The same target, measured as the host's below: what the recording
	# adds on the same calls at the same moment, against the floor.
	own_row container "the programs' own time per getppid in a container, recorder / empty program beside it (kernel BPF statistics)" \
		container_own "$f" 1.05
	jit_calls
	row container "getppid under strace -f -c (ptrace, on the host)" \
		"wall $(fmt "$sw") ns/call = $(fmt "$(calc "$sw / $uw")" 0)× untraced (CPU $(fmt "$(median container_strace)"))"
}

# --- 3. Host overhead, 4. memory --------------------------------------------

TRACED=() # names of the detached traced containers running now

# scale N: start or remove detached traced containers until N run.
scale() {
	local want=$1 name t0=$SECONDS
	while ((${#TRACED[@]} < want)); do
		name=bench-sleep-${#TRACED[@]}
		rm -f "$B/host/$name.json"
		bench_run -d --name "$name" --annotation "$ANNOTATION=of:$B/host/$name.json" \
			"$BUSYBOX" sleep 1000 >/dev/null
		TRACED+=("$name")
	done
	if ((${#TRACED[@]} > want)); then
		local gone=("${TRACED[@]:want}")
		TRACED=("${TRACED[@]:0:want}")
		podman rm -f -t0 "${gone[@]}" >/dev/null
		for name in "${gone[@]}"; do
			wait_file "$B/host/$name.json"
		done
		if ((want == 0)); then
			wait_tracers 20 || die "tracers still running after their containers were removed"
			[[ ! -e $PIN/link ]] || die "recorder still attached after the last traced container"
		fi
	fi
	local n
	n=$(tracer_pids | wc -l)
	((n == want)) || die "$want containers traced but $n tracers running"
	log "$want containers traced ($((SECONDS - t0)) s to get there)"
}

# memory LEVEL: peak RSS of every tracer now running, in MiB.
memory() {
	local p hwm anon
	for p in $(tracer_pids); do
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
		anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
		[[ -n $hwm ]] || continue
		add "memory_hwm_$1" "$(calc "$hwm / 1024")"
		add "memory_anon_$1" "$(calc "$anon / 1024")"
	done
}

# visit LEVEL COUNT: COUNT host loops with LEVEL containers traced; at
# level 0 they alternate with loops under the empty program. With
# containers traced, one more loop times the recorder against the empty
# program attached beside it (own_time).
visit() {
	local i expected=$(($1 > 0))
	for ((i = 0; i < $2; i++)); do
		host_loop "host_$1" "$expected"
		if (($1 == 0)); then
			floor_start
			host_loop host_floor 1
			floor_stop
		fi
	done
	(($1 == 0)) || own_time "host_own_$1" 2 "$B/bin/loop" -n "$LOOP"
}

bench_host() {
	mkdir -p "$B/host"
	log "host getppid loop with ${LEVELS[*]} containers traced, up and down $CYCLES times"
	local c i l top=${LEVELS[-1]} n=${#LEVELS[@]}
	# Up and down the levels, CYCLES times: slow drift of the machine's
	# load then weighs on every level alike. The top is visited once a
	# cycle, so it gets twice the loops.
	for ((c = 0; c < CYCLES; c++)); do
		for ((i = 0; i < n; i++)); do
			l=${LEVELS[i]}
			scale "$l"
			visit "$l" "$SAMPLES"
			((l != top)) || { visit "$l" "$SAMPLES"; memory "$l"; }
		done
		for ((i = n - 2; i > 0; i--)); do
			l=${LEVELS[i]}
			scale "$l"
			visit "$l" "$SAMPLES"
			# Peak RSS so far, right before these containers stop.
			memory "$l"
		done
	done
	scale 0
	visit 0 "$SAMPLES"

	local base floor m1 r
	base=$(median host_0)
	floor=$(median host_floor)
	row host "getppid on the host, nothing attached" "$(fmt "$base") ns/call (wall $(fmt "$(median host_0_wall)"))"
	row host "getppid on the host, empty program on sys_enter (the floor)" \
		"$(fmt "$floor") ns/call = $(fmt "$(calc "$floor / $base")" 2)× nothing ($(sfmt "$(calc "$floor - $base")" 0) ns)"
	m1=$(median "host_${LEVELS[1]}")
	for l in "${LEVELS[@]:1}"; do
		local m
		m=$(median "host_$l")
		if ((l == top)); then
			r=$(calc "$m / $m1")
			row host "getppid on the host, $l containers traced" \
				"$(fmt "$m") ns/call = $(fmt "$r" 3)× with ${LEVELS[1]} traced, $(fmt "$(calc "$m / $floor")" 2)× the floor" \
				"≤ 1.05× with ${LEVELS[1]} traced" "$r" 1.05
		else
			row host "getppid on the host, $l container(s) traced" \
				"$(fmt "$m") ns/call = $(fmt "$(calc "$m / $floor")" 2)× the floor ($(sfmt "$(calc "$m - $floor")" 0) ns)"
		fi
	done
	# The targets: the recording's own time over the empty program's, on
	# the same calls, against the floor's loop. The loops' ratios above
	# compare samples taken minutes apart, which this machine's drift
	# moves by more than the target (docs/benchmarks.md).
	for l in "${LEVELS[@]:1}"; do
		local target=
		((l != LEVELS[1] && l != top)) || target=1.03
		own_row host "the programs' own time per getppid on the host, $l traced, recorder / empty program beside it (kernel BPF statistics)" \
			"host_own_$l" "$floor" ${target:+"$target"}
	done
	for l in "${LEVELS[@]:1}"; do
		((l >= 8 || l == top)) || continue
		local mh ph n ma
		read -r mh ph n < <(stats "memory_hwm_$l")
		ma=$(median "memory_anon_$l")
		local max
		max=$(sort -g "$S/memory_hwm_$l" | tail -1)
		row memory "tracer peak RSS (VmHWM) with $l containers traced" \
			"$(fmt "$mh") MiB median, $(fmt "$max") MiB max (n=$n; anonymous $(fmt "$ma") MiB median)" \
			"≤ 20 MiB per container" "$max" 20
	done
}

# --- 5. Compiler ------------------------------------------------------------

# compile_step NAME CMD...: time one compiler command, in seconds, into
# the series compiler_NAME; on failure keep its error in ERR.
compile_step() {
	local name=$1 t0 t1
	shift
	now t0
	if ! "$@" >/dev/null 2>"$B/compiler/err"; then
		ERR=$(head -c 300 "$B/compiler/err")
		return 1
	fi
	now t1
	add "compiler_$name" "$(calc "($t1 - $t0) / 1e6")"
}

bench_compiler() {
	mkdir -p "$B/compiler"
	local base=() defaults=/usr/share/containers/seccomp.json
	[[ ! -r $defaults ]] || base=(--base "$defaults")
	log "compiler: $NTRACES traces, merged then compiled${base:+ on $defaults}, $COMPILES times"
	"$B/bin/gentraces" -n "$NTRACES" -o "$B/compiler/traces"
	local traces=("$B/compiler/traces"/*.json) i ERR=
	local merged=$B/compiler/merged.json out=$B/compiler/profile.json one=$B/compiler/one-step.json
	for ((i = 0; i < COMPILES; i++)); do
		rm -f "$merged" "$out" "$one"
		compile_step merge "$COMPILER" merge -o "$merged" "${traces[@]}" &&
			compile_step compile "$COMPILER" compile "${base[@]}" -o "$out" "$merged" ||
			break
		add compiler_total "$(calc "$(tail -1 "$S/compiler_merge") + $(tail -1 "$S/compiler_compile")")"
	done
	if [[ -n $ERR ]]; then
		FAILED+=("compiler: $ERR")
		local done=""
		[[ ! -s $S/compiler_merge ]] || done="merge $(fmt "$(median compiler_merge)" 2) s, then "
		row compiler "oci-seccomp-compiler merge + compile, $NTRACES traces" "${done}error: $ERR" "≤ 1 s" 1 0
	else
		local runs
		runs=$(jq '.runs | length' "$merged")
		((runs == NTRACES)) || die "merged trace has $runs runs, want $NTRACES"
		jq -e '.syscalls | length > 0' "$out" >/dev/null || die "compiled profile has no rules"
		local total
		total=$(median compiler_total)
		row compiler "oci-seccomp-compiler merge + compile, $NTRACES traces" \
			"$(fmt "$total" 2) s (merge $(fmt "$(median compiler_merge)" 2) s + compile $(fmt "$(median compiler_compile)" 2) s, median of $COMPILES)" \
			"≤ 1 s" "$total" 1
	fi
	# The same in one step: compile merges its inputs itself.
	ERR=
	for ((i = 0; i < COMPILES; i++)); do
		compile_step onestep "$COMPILER" compile "${base[@]}" -o "$one" "${traces[@]}" || break
	done
	if [[ -n $ERR ]]; then
		FAILED+=("compiler: $ERR")
		row compiler "oci-seccomp-compiler compile, $NTRACES traces in one step" "error: $ERR"
	else
		row compiler "oci-seccomp-compiler compile, $NTRACES traces in one step" \
			"$(fmt "$(median compiler_onestep)" 2) s (median of $COMPILES)"
	fi
	# The package's own benchmark: the same work in process, no file I/O.
	if grep -qs 'func BenchmarkMergeCompile1000' "$ROOT_DIR"/compiler/profile/*_test.go; then
		local ns
		ns=$(cd "$ROOT_DIR" && "$GO" test -run '^$' -bench '^BenchmarkMergeCompile1000$' -benchtime "${COMPILES}x" \
			./compiler/profile/ 2>&1 | awk '/^BenchmarkMergeCompile1000/ { for (i = 1; i < NF; i++) if ($(i + 1) == "ns/op") print $i }')
		if [[ -n $ns ]]; then
			add compiler_gobench "$(calc "$ns / 1e9")"
			row compiler "BenchmarkMergeCompile1000 (compiler/profile, in process)" "$(fmt "$(calc "$ns / 1e9")" 2) s/op"
		else
			FAILED+=("compiler: go test -bench MergeCompile1000 failed")
			row compiler "BenchmarkMergeCompile1000 (compiler/profile, in process)" "error: go test -bench failed"
		fi
	fi
}

# --- Report -----------------------------------------------------------------

report() {
	mkdir -p "$OUT_DIR"
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	local series
	series=$(for f in "$S"/*; do
		jq -R -s --arg k "$(basename "$f")" '{($k): [split("\n")[] | select(. != "") | (tonumber? // .)]}' "$f"
	done | jq -s 'add')
	jq -s --arg date "$(date -u +%FT%TZ)" --arg cpu "$cpu" --arg kernel "$(uname -r)" \
		--argjson nproc "$(nproc)" --arg podman "$(podman version --format '{{.Client.Version}}')" \
		--arg runc "$(runc --version | head -1)" --arg hook "$("$HOOK" --version)" \
		--argjson samples "$series" \
		--argjson config "$(jq -n --arg sections "$SECTIONS" --argjson runs "$RUNS" --argjson pairs "$PAIRS" \
			--argjson loop "$LOOP" --argjson strace_loop "$STRACE_LOOP" --argjson rounds "$ROUNDS" \
			--argjson samples "$SAMPLES" --arg levels "${LEVELS[*]}" --argjson traces "$NTRACES" \
			--argjson compiles "$COMPILES" --argjson cycles "$CYCLES" \
			'{sections: ($sections | split(" ")), runs: $runs, pairs: $pairs, loop: $loop, strace_loop: $strace_loop,
			  rounds: $rounds, samples: $samples, cycles: $cycles, levels: ($levels | split(" ") | map(tonumber)),
			  traces: $traces, compiles: $compiles}')" \
		'{date: $date,
		  machine: {cpu: $cpu, nproc: $nproc, kernel: $kernel, podman: $podman, runc: $runc, hook: $hook},
		  config: $config,
		  rows: .,
		  pass: (map(select(has("pass")) | .pass) | all),
		  interference: {retaken: ($samples.interfered // [] | length),
			kept: ($samples.interfered_kept // [] | length)},
		  samples: $samples}' "$B/rows.jsonl" >"$OUT_DIR/bench.json"
	{
		echo "| measurement | result | target | |"
		echo "|---|---|---|---|"
		jq -r '.rows[] | "| \(.name) | \(.result) | \(.target // "") | \(if has("pass") then (if .pass then "PASS" else "FAIL" end) else "" end) |"' \
			"$OUT_DIR/bench.json"
		echo
		echo "ns/call: CPU time (user + system) of the looping thread per getppid(); wall-clock time in parentheses."
		echo "$(nproc) CPUs ($cpu), Linux $(uname -r), podman $(podman version --format '{{.Client.Version}}'), $(runc --version | head -1); $(date -u +%F)."
		jq -r '.interference | select(.retaken + .kept > 0)
			| "Another program was on sys_enter around \(.retaken + .kept) loop samples (a concurrent recorder): \(.retaken) were taken again, \(.kept) kept after 3 tries."' \
			"$OUT_DIR/bench.json"
	} >"$OUT_DIR/bench.md"
	echo
	cat "$OUT_DIR/bench.md"
	echo
	echo "written: $OUT_DIR/bench.md, $OUT_DIR/bench.json"
}

main() {
	check_prereqs
	mkdir -p "$WORK_DIR"
	exec {lock}>"$WORK_DIR/bench.lock"
	flock -n "$lock" || die "another make bench is running ($WORK_DIR/bench.lock)"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	# Leftovers of a run that was killed before its clean-up.
	remove_containers
	[[ -z $(tracer_pids) ]] || die "tracers of an earlier bench still run: $(tracer_pids | tr '\n' ' ')"
	remove_pins

	rm -rf "$B"
	mkdir -p "$S" "$B/bin" "$RUN"
	: >"$B/rows.jsonl"
	prepare_env
	# The hook registered for podman uses the bench's own recorder.
	mkdir -p "$WORK_DIR/hooks.d"
	jq --arg run "$RUN" --arg pin "$PIN" --arg hook "$HOOK" \
		'.hook.path = $hook | .hook.args += ["--run-dir", $run, "--pin-dir", $pin]' \
		"$ROOT_DIR/hooks.d/oci-seccomp-bpf-hook.json" >"$WORK_DIR/hooks.d/oci-seccomp-bpf-hook.json"
	log "building images, workloads and helpers"
	build_images
	(cd "$ROOT_DIR" && "$GO" build -o "$B/bin/" ./test/bench/floor ./test/bench/gentraces) ||
		die "build test/bench helpers"
	gcc -O2 -Wall -Werror -o "$B/bin/nsinit" "$TEST_DIR/bench/nsinit.c" || die "build test/bench/nsinit.c"
	gcc -O2 -static -Wall -Werror -o "$B/bin/loop" "$TEST_DIR/bench/loop.c" || die "build test/bench/loop.c"

	local start=$SECONDS
	! has latency || bench_latency
	! has podman || bench_podman
	! has container || bench_container
	! has host || bench_host
	! has compiler || bench_compiler
	log "done in $((SECONDS - start)) s"
	report
	if ((${#FAILED[@]})); then
		printf 'bench: error: %s\n' "${FAILED[@]}" >&2
		exit 1
	fi
}

main "$@"
