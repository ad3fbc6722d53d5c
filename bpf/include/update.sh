#!/usr/bin/env bash
# Refresh the vendored libbpf headers from the installed libbpf-dev package
# (Debian 12 ships libbpf 1.1). Run from anywhere; writes beside this script.
# The headers are dual licensed LGPL-2.1 OR BSD-2-Clause.
set -euo pipefail
src=${LIBBPF_INCLUDE:-/usr/include/bpf}
dst=$(dirname "$0")
for h in bpf_helpers.h bpf_helper_defs.h bpf_core_read.h; do
	install -m 0644 "$src/$h" "$dst/$h"
done
version=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || echo unknown)
echo "libbpf-dev $version" >"$dst/LIBBPF_VERSION"
