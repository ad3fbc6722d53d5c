#!/usr/bin/env bats
# Real programs, each traced once and then run 20 times under the profile
# of that one trace, with the same output every time: a profile must never
# break its workload later, whichever run was traced (issue: profiles that
# travel between runtimes and never break their workload later). The
# suite runs once under runc and once under crun.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	load helpers
	[[ $(id -u) == 0 ]] || return 0
	prepare_env
	NEED_DEBIAN_PROGRAMS=1 build_images
	build_progs
}

RUNS=20

# twenty_runs NAME CMD...: trace CMD once in the programs image, then run
# it RUNS times under the profile; every run must exit 0 with the traced
# output. Prints the profile's size and the failures for the README.
twenty_runs() {
	local name=$1
	shift
	local mounts=(-v "$FIXTURES:/fixtures:ro" -v "$PROGS:/progs:ro")
	run trace "of:$T/$name.json" "${mounts[@]}" "$DEBIAN_PROGRAMS" "$@"
	check_status 0
	local want=$output i failed=0
	[[ -n $want ]]
	for ((i = 1; i <= RUNS; i++)); do
		run podman_run --rm --security-opt "seccomp=$T/$name.json" "${mounts[@]}" "$DEBIAN_PROGRAMS" "$@"
		if [[ $status != 0 || $output != "$want" ]]; then
			echo "run $i: exit $status: $output"
			failed=$((failed + 1))
		fi
	done
	echo "# $name under $RUNTIME: profile allows $(syscalls "$T/$name.json" | wc -l) syscalls; $RUNS runs, $failed failed" >&3
	((failed == 0))
}

@test "python3: traced once, 20 runs under its profile" {
	twenty_runs python3 python3 /fixtures/script.py
}

@test "shell pipeline: traced once, 20 runs under its profile" {
	twenty_runs pipeline sh -c 'seq 1 5000 | sort -rn | tail -n 3 | tr "\n" " "; ls /usr | wc -l'
}

@test "multi-threaded Go program: traced once, 20 runs under its profile" {
	twenty_runs go /progs/gothreads
}

@test "pandoc (GHC): traced once, 20 runs under its profile" {
	twenty_runs pandoc sh -c 'printf "# Title\n\nSome *emphasis* and a [link](https://example.org).\n" | pandoc -f markdown -t html'
}

@test "perl: traced once, 20 runs under its profile" {
	twenty_runs perl perl -e 'my %h = map { $_ => $_ * $_ } 1 .. 1000; my $s = 0; $s += $h{$_} for keys %h; print "$s\n";'
}
