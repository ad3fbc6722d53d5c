#!/usr/bin/env bats
# Safe outputs: whoever writes the annotation must never be able to make
# the root hook destroy or plant host files, and the old hook's workflows
# keep working (issue: safe outputs).

bats_require_minimum_version 1.5.0
load helpers

setup() {
	[[ $(id -u) == 0 ]] || skip "requires root"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/out" "$T/mark"
	cp /etc/passwd "$T/out/passwd"
	touch "$T/stamp"
}

# refused VALUE PATTERN [HOOKS_DIR]: the container does not start (its
# command would leave a mark), the one-line error matches PATTERN, and no
# file under /etc or /usr is new or changed.
refused() {
	run ! podman_run_in "${3:-}" --rm -v "$T/mark:/mark" \
		--annotation "$ANNOTATION=$1" "$BUSYBOX" touch /mark/started
	[[ $output == *"$2"* ]] || { echo "output lacks '$2': $output"; return 1; }
	[[ ! -e $T/mark/started ]] || { echo "the container started"; return 1; }
	local new
	new=$(find /etc /usr -xdev -type f -newer "$T/stamp" -print -quit)
	[[ -z $new ]] || { echo "new or changed under /etc or /usr: $new"; return 1; }
}

passwd_intact() {
	cmp /etc/passwd "$T/out/passwd"
	[[ $(ls -A "$T/out") == passwd ]] || { ls -la "$T/out"; return 1; }
}

@test "of: an existing file that is not a profile is never replaced" {
	refused "of:$T/out/passwd" "neither empty nor a seccomp profile or trace"
	passwd_intact
}

@test "tf: an existing file that is not a trace is never replaced" {
	refused "of:$T/out/p.json;tf:$T/out/passwd" "neither empty nor a seccomp profile or trace"
	passwd_intact
}

@test "of: and tf: in system directories are refused" {
	refused "of:/etc/passwd" "inside a system directory /etc"
	refused "of:/etc/cron.d/seccomp-$$" "inside a system directory /etc"
	refused "of:/etc/sudoers.d/seccomp-$$" "inside a system directory /etc"
	refused "of:$T/out/p.json;tf:/usr/lib/seccomp-$$.json" "inside a system directory /usr"
	refused "of:/var/lib/seccomp-$$.json" "inside a system directory /var/lib"
	refused "of:/lib64/seccomp-$$.json" "inside a system directory /lib64"
	refused "of:/boot/seccomp-$$.json" "inside a system directory /boot"
	refused "of:/tmp/../etc/seccomp-$$.json" "inside a system directory /etc"
	[[ ! -e /etc/cron.d/seccomp-$$ && ! -e /etc/sudoers.d/seccomp-$$ && ! -e /usr/lib/seccomp-$$.json ]]
	passwd_intact
}

@test "--allow-dir: outside refused; inside, the no-replace rule still holds; a system directory can be allowed" {
	local hooks=$T/hooks.d allowed=/var/lib/oci-seccomp-bpf-hook-test-$$
	mkdir -p "$allowed"
	cp /etc/passwd "$allowed/passwd"
	hooks_dir_with "$hooks" --allow-dir "$allowed"
	refused "of:$T/out/p.json" "outside the allowed directories" "$hooks"
	refused "of:$allowed/passwd" "neither empty nor a seccomp profile or trace" "$hooks"
	cmp /etc/passwd "$allowed/passwd"
	run podman_run_in "$hooks" --rm \
		--annotation "$ANNOTATION=of:$allowed/p.json" "$BUSYBOX" true
	check_status 0
	[[ -s $allowed/p.json ]]
	rm -rf "$allowed"
	passwd_intact
}

@test "a 70,000-character annotation is refused with a short message" {
	local long start elapsed
	long="of:/tmp/$(head -c 70000 /dev/zero | tr '\0' x)"
	start=$(date +%s%N)
	# timeout: with the old hook's echo, podman hung here for minutes.
	# (podman_run_in spelt out: timeout runs commands, not functions.)
	local crun=()
	[[ $RUNTIME != crun ]] || crun=(--annotation "run.oci.hooks.stderr=$T/hook.err")
	run ! timeout 60 podman "${HOOKS_DIR_ARGS[@]}" run --rm --network=none "${crun[@]}" -v "$T/mark:/mark" \
		--annotation "$ANNOTATION=$long" "$BUSYBOX" touch /mark/started
	[[ ! -e $T/hook.err ]] || output+=$(cat "$T/hook.err")
	elapsed=$((($(date +%s%N) - start) / 1000000))
	echo "# refused in $elapsed ms; ${#output} bytes of output" >&3
	[[ $output == *"value is 70008 bytes, at most 4096 are accepted"* ]] || { echo "${output:0:2000}"; return 1; }
	((${#output} < 1000)) || { echo "output of ${#output} bytes"; return 1; }
	[[ ! -e $T/mark/started ]]
	[[ $status != 124 ]]
}

@test "old workflow: an empty mktemp file as of: and tf:" {
	local p t
	p=$(mktemp -p "$T/out") t=$(mktemp -p "$T/out")
	run trace "of:$p;tf:$t" "$BUSYBOX" ls /
	check_status 0
	assert_allows "$p" getdents64
	[[ $(jq -r .version "$t") == 2 ]]
}

@test "old workflow: re-tracing over the hook's own profile and trace" {
	trace "of:$T/out/p.json;tf:$T/out/t.json" "$BUSYBOX" ls /
	run trace "of:$T/out/p.json;tf:$T/out/t.json" "$BUSYBOX" mkdir /newdir
	check_status 0
	assert_allows "$T/out/p.json" mkdir
	[[ $(jq '.runs | length' "$T/out/t.json") == 1 ]]
	[[ $(jq -r '.runs[0].command | join(" ")' "$T/out/t.json") == "mkdir /newdir" ]]
}

@test "old workflow: if: and of: naming one file accumulate runs" {
	local p=$T/out/acc.json
	trace "of:$p" "$BUSYBOX" mkdir /a
	run trace "if:$p;of:$p" "$BUSYBOX" ln -s /x /b
	check_status 0
	run trace "if:$p;of:$p" "$BUSYBOX" rmdir /tmp
	check_status 0
	assert_allows "$p" mkdir symlink rmdir
	# The union runs each of the three.
	run podman_run --rm --security-opt "seccomp=$p" "$BUSYBOX" mkdir /a
	check_status 0
	run podman_run --rm --security-opt "seccomp=$p" "$BUSYBOX" ln -s /x /b
	check_status 0
	run podman_run --rm --security-opt "seccomp=$p" "$BUSYBOX" rmdir /tmp
	check_status 0
}

@test "old workflow: outputs directly in /tmp and /var/tmp" {
	local a=/tmp/seccomp-hook-test-$$.json b=/var/tmp/seccomp-hook-test-$$.json
	run trace "of:$a;tf:$b" "$BUSYBOX" true
	check_status 0
	[[ -s $a && -s $b ]]
	rm -f "$a" "$b"
}

@test "outputs in another user's directory belong to that user, mode 0644" {
	mkdir "$T/user"
	chown nobody:nogroup "$T/user"
	chmod 755 "$T" "$T/user"
	run trace "of:$T/user/p.json;tf:$T/user/t.json" "$BUSYBOX" true
	check_status 0
	[[ $(stat -c '%U:%G %a' "$T/user/p.json") == "nobody:nogroup 644" ]]
	[[ $(stat -c '%U:%G %a' "$T/user/t.json") == "nobody:nogroup 644" ]]
}
