#!/usr/bin/env bash
# Package check for CI (Debian 12, as root): builds the deb and the rpm,
# lints both, compares their file lists with the expected ones, installs
# the deb, checks what it installed, has podman run the hook with no
# --hooks-dir, runs the bats suite against the package (HOOK_INSTALLED=1),
# then purges it and checks that every file is gone. Each passed check
# prints "ok: ..."; the first failure prints "FAIL: ..." and exits 1, and
# the package is purged on every exit, so the machine is left as found.
#
# Environment: SKIP_BATS=1 skips the bats suite (the smoke test with podman
# still runs); SKIP_BUILD=1 reuses build/deb and build/rpm.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=/usr/local/go/bin:$PATH

PKG=oci-seccomp-bpf-hook
# dh_strip also builds the -dbgsym package; both are installed and purged.
PKGS=("$PKG" "$PKG-dbgsym")
VERSION=$(cat internal/version/VERSION)
HOOK=/usr/libexec/oci/hooks.d/$PKG
COMPILER=/usr/bin/oci-seccomp-compiler
HOOK_JSON=/usr/share/containers/oci/hooks.d/$PKG.json
MANPAGES=(/usr/share/man/man1/$PKG.1.gz /usr/share/man/man1/oci-seccomp-compiler.1.gz)

# Every non-directory the deb ships. README.md is compressed by dh_compress
# when larger than 4 KiB, so it is compared without its .gz.
DEB_FILES="\
/usr/bin/oci-seccomp-compiler
/usr/libexec/oci/hooks.d/oci-seccomp-bpf-hook
/usr/share/containers/oci/hooks.d/oci-seccomp-bpf-hook.json
/usr/share/doc/oci-seccomp-bpf-hook/README.md
/usr/share/doc/oci-seccomp-bpf-hook/changelog.Debian.gz
/usr/share/doc/oci-seccomp-bpf-hook/copyright
/usr/share/lintian/overrides/oci-seccomp-bpf-hook
/usr/share/man/man1/oci-seccomp-bpf-hook.1.gz
/usr/share/man/man1/oci-seccomp-compiler.1.gz"

# Everything `rpm -qlp` lists (files and owned directories), without the
# /usr/lib/.build-id links, whose names are the binaries' build ids.
RPM_FILES="\
/usr/bin/oci-seccomp-compiler
/usr/libexec/oci
/usr/libexec/oci/hooks.d
/usr/libexec/oci/hooks.d/oci-seccomp-bpf-hook
/usr/share/containers
/usr/share/containers/oci
/usr/share/containers/oci/hooks.d
/usr/share/containers/oci/hooks.d/oci-seccomp-bpf-hook.json
/usr/share/doc/oci-seccomp-bpf-hook
/usr/share/doc/oci-seccomp-bpf-hook/README.md
/usr/share/licenses/oci-seccomp-bpf-hook
/usr/share/licenses/oci-seccomp-bpf-hook/LICENSE
/usr/share/man/man1/oci-seccomp-bpf-hook.1.gz
/usr/share/man/man1/oci-seccomp-compiler.1.gz"

ok() { echo "ok: $*"; }
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
# same NAME WANT GOT: compare two sorted lists, printing the difference.
same() {
	local diff
	if ! diff=$(diff -u --label want <(echo "$2") --label got <(echo "$3")); then
		echo "$diff" >&2
		fail "$1 differs from the expected list"
	fi
}
# installed: whether dpkg knows any of PKGS (installed or with config files).
installed() { dpkg-query -W -f='${db:Status-Status}\n' "${PKGS[@]}" 2>/dev/null | grep -qv '^not-installed$'; }

[[ $(id -u) == 0 ]] || fail "run as root: the test installs a package"

# The tools the build and the checks need (Go comes from /usr/local/go).
test/install-deps.sh dpkg-dev debhelper pkgconf rpm rpmlint lintian
go version >/dev/null || fail "no Go toolchain: put Go >= 1.26 in /usr/local/go or on PATH"

# Refuse to touch an existing installation or files it does not own.
installed && fail "$PKG is already installed; remove it (dpkg -P ${PKGS[*]}) first"
for f in $DEB_FILES; do
	[[ ! -e $f && ! -e $f.gz ]] || fail "$f exists but no package owns it (make uninstall PREFIX=/usr?)"
done

# --- build -------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
	make deb >build-deb.log 2>&1 || { tail -40 build-deb.log; fail "make deb (log: $ROOT/build-deb.log)"; }
	rm -f build-deb.log
	ok "make deb"
	make rpm >build-rpm.log 2>&1 || { tail -40 build-rpm.log; fail "make rpm (log: $ROOT/build-rpm.log)"; }
	rm -f build-rpm.log
	ok "make rpm"
fi
shopt -s nullglob
debs=(build/deb/"${PKG}"_*.deb)
dbgsyms=(build/deb/"${PKG}"-dbgsym_*.deb)
rpms=(build/rpm/"${PKG}"-*.x86_64.rpm build/rpm/"${PKG}"-*.aarch64.rpm)
srpms=(build/rpm/"${PKG}"-*.src.rpm)
shopt -u nullglob
((${#debs[@]} == 1 && ${#dbgsyms[@]} == 1)) || fail "want one $PKG and one $PKG-dbgsym .deb in build/deb, have ${#debs[@]} and ${#dbgsyms[@]}"
((${#rpms[@]} == 1)) || fail "want one binary .rpm in build/rpm, have ${#rpms[@]}"
DEB=${debs[0]}
RPM=${rpms[0]}

# --- the deb, before installing ----------------------------------------
[[ $(dpkg-deb -f "$DEB" Version) == "$VERSION-"* ]] || fail "$DEB: version $(dpkg-deb -f "$DEB" Version), want $VERSION-*"
depends=$(dpkg-deb -f "$DEB" Depends)
[[ $depends == *libseccomp2* ]] || fail "$DEB: Depends ($depends) lacks libseccomp2"
[[ $(dpkg-deb -f "$DEB" Recommends) == *podman* ]] || fail "$DEB: does not recommend podman"
ok "$DEB: version $(dpkg-deb -f "$DEB" Version), Depends: $depends, Recommends: $(dpkg-deb -f "$DEB" Recommends)"
got=$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print substr($6, 2)}' | sed 's|\(/usr/share/doc/.*/README\.md\)\.gz$|\1|' | sort)
same "dpkg-deb -c $DEB" "$DEB_FILES" "$got"
ok "$DEB ships exactly:"
sed 's/^/      /' <<<"$got"

echo "lintian $DEB ${dbgsyms[0]}:"
status=0
out=$(lintian --fail-on error,warning --info "$DEB" "${dbgsyms[0]}" 2>&1) || status=$?
[[ -z $out ]] || sed 's/^/      /' <<<"$out"
((status == 0)) || fail "lintian found errors or warnings (exit $status)"
ok "lintian: no errors or warnings (overrides: deb/debian/$PKG.lintian-overrides)"

# --- the rpm -------------------------------------------------------------
[[ $(rpm -qp --qf '%{VERSION}' "$RPM" 2>/dev/null) == "$VERSION" ]] || fail "$RPM: version is not $VERSION"
got=$(rpm -qlp "$RPM" 2>/dev/null | grep -v '^/usr/lib/\.build-id' | sort)
same "rpm -qlp $RPM" "$RPM_FILES" "$got"
ok "$RPM lists exactly:"
sed 's/^/      /' <<<"$got"
rpm -qp --requires "$RPM" 2>/dev/null | grep -q '^libseccomp\.so\.2' || fail "$RPM does not require libseccomp.so.2"
rpm -qp --recommends "$RPM" 2>/dev/null | grep -qx podman || fail "$RPM does not recommend podman"
ok "$RPM requires libseccomp.so.2 and recommends podman"

echo "rpmlint $RPM ${srpms[*]} rpm/$PKG.spec:"
status=0
out=$(rpmlint -c rpm/rpmlint.toml "$RPM" "${srpms[@]}" "rpm/$PKG.spec" 2>&1) || status=$?
sed 's/^/      /' <<<"$out"
((status == 0)) && grep -q ' 0 errors, 0 warnings' <<<"$out" || fail "rpmlint found errors or warnings (exit $status)"
ok "rpmlint: no errors or warnings (filters: rpm/rpmlint.toml)"

# --- install ---------------------------------------------------------------
# Directories the package creates; the ones that existed before must stay.
declare -A existed=()
for d in $(for deb in "$DEB" "${dbgsyms[0]}"; do dpkg-deb -c "$deb"; done | awk '$1 ~ /^d/ {print substr($6, 2)}'); do
	d=${d%/}
	[[ -z $d || ! -d $d ]] || existed[$d]=1
done
trap 'installed && { echo "purging ${PKGS[*]}"; dpkg -P "${PKGS[@]}" >/dev/null; }' EXIT
dpkg -i "$DEB" "${dbgsyms[0]}" >/dev/null
ok "dpkg -i $DEB ${dbgsyms[0]}"
listed=$(dpkg -L "$PKG" | sort)
all_listed=$(dpkg -L "${PKGS[@]}" | sort -u)

for f in $DEB_FILES; do
	[[ -f $f || -f $f.gz ]] || fail "$f is not installed"
	grep -qx -e "$f" -e "$f.gz" <<<"$listed" || fail "dpkg -L does not list $f"
done
ok "every expected file is installed and listed by dpkg -L"
[[ $(stat -c %a "$HOOK") == 755 && $(stat -c %a "$COMPILER") == 755 ]] || fail "binaries are not mode 755"
[[ $(stat -c %a "$HOOK_JSON") == 644 ]] || fail "$HOOK_JSON is not mode 644"
ok "modes: hook and compiler 755, hooks.d JSON 644"

[[ $("$HOOK" --version) == "$VERSION" ]] || fail "$HOOK --version: $("$HOOK" --version), want $VERSION"
ok "$HOOK --version: $VERSION"
[[ $("$COMPILER" --version) == *"$VERSION"* ]] || fail "$COMPILER --version: $("$COMPILER" --version), want $VERSION"
ok "$COMPILER --version: $("$COMPILER" --version)"

[[ $(jq -r .hook.path "$HOOK_JSON") == "$HOOK" ]] || fail "$HOOK_JSON: hook.path is $(jq -r .hook.path "$HOOK_JSON"), want $HOOK"
[[ $(jq -r '.stages | join(",")' "$HOOK_JSON") == prestart,poststop ]] || fail "$HOOK_JSON: stages"
! grep -q HOOK_BIN_DIR "$HOOK_JSON" || fail "$HOOK_JSON: placeholder not substituted"
ok "$HOOK_JSON: hook.path $HOOK, stages prestart,poststop"

# The man pages: valid gzip, roff, and every flag of --help documented.
for m in "${MANPAGES[@]}"; do
	zcat "$m" | grep -q '^\.TH ' || fail "$m is not a man page"
done
# check_flags BIN PAGE: every flag BIN --help shows ("  -flag" in Go's flag
# usage, "[--flag" or " -o" in a synopsis) appears in PAGE.
check_flags() {
	local bin=$1 page=$2 flag text missing=()
	# roff escapes dashes (\-) and marks fonts (\fB...\fP): read it plain.
	text=$(zcat "$page" | sed 's/\\-/-/g; s/\\f[BIRP]//g')
	for flag in $("$bin" --help 2>&1 | grep -oE '(^|[[ ])--?[a-z][a-z0-9-]*' | sed 's/^[[ ]*-*//' | sort -u); do
		grep -qE -- "(^|[^a-z0-9-])-?-$flag([^a-z0-9-]|$)" <<<"$text" || missing+=("-$flag")
	done
	((${#missing[@]} == 0)) || fail "$page does not document ${missing[*]} from $bin --help"
	echo "      $(basename "$page"): $("$bin" --help 2>&1 | grep -oE '(^|[[ ])--?[a-z][a-z0-9-]*' | sed 's/^[[ ]*//' | sort -u | tr '\n' ' ')"
}
check_flags "$HOOK" "${MANPAGES[0]}"
check_flags "$COMPILER" "${MANPAGES[1]}"
ok "man pages ${MANPAGES[*]} are roff and document every flag of --help (above)"

# --- podman finds the installed hook ----------------------------------------
# helpers.bash in HOOK_INSTALLED mode: runc, no --hooks-dir, so podman reads
# the hook from /usr/share/containers/oci/hooks.d.
(
	export HOOK_INSTALLED=1
	# shellcheck source=test/helpers.bash
	source test/helpers.bash
	prepare_env
	build_images
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
	log=$(podman --log-level=debug run --rm --network=none \
		--annotation "$ANNOTATION=of:$out/ls.json" "$BUSYBOX" ls / 2>&1) ||
		{ echo "$log" | tail -20; fail "podman run with the annotation"; }
	grep -q "$HOOK_JSON" <<<"$log" || fail "podman's debug log does not mention $HOOK_JSON"
	[[ -s $out/ls.json ]] || fail "no profile written: podman did not run the installed hook"
	jq -e '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | index("execve")' "$out/ls.json" >/dev/null ||
		fail "the profile does not allow execve"
	ok "podman (no --hooks-dir) ran $HOOK_JSON: profile with $(jq '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | length' "$out/ls.json") syscalls"
)

if [[ ${SKIP_BATS:-0} != 1 ]]; then
	HOOK_INSTALLED=1 bats test/ || fail "HOOK_INSTALLED=1 bats test/"
	ok "HOOK_INSTALLED=1 bats test/"
fi

# --- purge ------------------------------------------------------------------
dpkg -P "${PKGS[@]}" >/dev/null
trap - EXIT
! installed || fail "${PKGS[*]} still known to dpkg after dpkg -P"
left=()
while IFS= read -r p; do
	[[ -z $p || $p == /. ]] && continue
	if [[ -d $p && ! -L $p ]]; then
		[[ -n ${existed[$p]:-} ]] || left+=("$p/")
	elif [[ -e $p || -L $p ]]; then
		left+=("$p")
	fi
done <<<"$all_listed"
((${#left[@]} == 0)) || fail "left after dpkg -P: ${left[*]}"
ok "dpkg -P ${PKGS[*]} removed all $(wc -l <<<"$all_listed") paths dpkg -L listed (directories that existed before were kept)"
echo "package checks passed"
