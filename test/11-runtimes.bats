#!/usr/bin/env bats
# Profiles for another OCI runtime (compile --runtime): a workload traced
# under the suite's runtime, compiled for runc, for crun and for both,
# runs under each runtime named, with and without no-new-privileges.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	load helpers
	[[ $(id -u) == 0 ]] || return 0
	prepare_env
	build_images
}

CMD=(sh -c 'echo hi; ls / >/dev/null; grep -c ^Cap /proc/self/status')

# run_under RUNTIME PROFILE [OPTION...]: CMD under PROFILE, started by
# RUNTIME (podman --runtime; crun's cgroup set-up is prepare_env's).
run_under() {
	local runtime=$1 profile=$2
	shift 2
	podman "${HOOKS_DIR_ARGS[@]}" --runtime "$runtime" run --rm --network=none \
		--security-opt "seccomp=$profile" "$@" "$BUSYBOX" "${CMD[@]}"
}

@test "traced under one runtime, compile --runtime runc, crun, runc,crun: runs under each runtime named" {
	run trace "of:$T/p.json;tf:$T/t.json" "$BUSYBOX" "${CMD[@]}"
	check_status 0
	local want=$output traced
	traced=$(jq -r '.runs[0].runtime | split(" ")[0]' "$T/t.json")
	echo "# traced under $(jq -r '.runs[0].runtime' "$T/t.json")" >&3
	[[ $traced == runc || $traced == crun ]]

	# As traced, the profile fails under the other runtime: what it does
	# after its filter is not in it.
	local other=crun
	[[ $traced == crun ]] && other=runc
	run run_under "$other" "$T/p.json"
	[[ $status != 0 ]] || { echo "the profile traced under $traced runs under $other: $output"; return 1; }
	echo "# under $other as traced: $output" >&3

	local for rt nnp
	for for in runc crun runc,crun; do
		run "$COMPILER" compile --runtime "$for" -o "$T/for-$for.json" "$T/t.json"
		check_status 0
		run "$COMPILER" check "$T/for-$for.json"
		check_status 0
		for rt in ${for//,/ }; do
			for nnp in "" no-new-privileges; do
				run run_under "$rt" "$T/for-$for.json" ${nnp:+--security-opt "$nnp"}
				check_status 0
				[[ $output == "$want" ]] || { echo "--runtime $for under $rt ${nnp}: $output"; return 1; }
			done
		done
	done
	# A profile for one runtime only still fails under the other.
	run run_under "$other" "$T/for-$traced.json"
	[[ $status != 0 ]]
}
