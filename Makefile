# oci-seccomp-bpf-hook: see README.md. Targets:
#   make            build bin/oci-seccomp-bpf-hook and bin/oci-seccomp-compiler
#   make generate   rebuild the eBPF object and its Go bindings (clang-14), and the syscall table
#   make install    install into $(DESTDIR)$(PREFIX)
#   make test       unit tests, then the privileged tests and the bats system tests (under runc and crun)
#   make demo       install what it needs, build, trace a demo container, print the profile
#   make bench      benchmarks (see README)
#   make runtime-traces  retrace each runtime's own calls for compile --runtime (RUNTIMES=...)

# Go comes from /usr/local/go on the machines this is built on (Debian's
# golang is too old); a go already on PATH comes first.
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
CLANG ?= clang-14
STRIP ?= llvm-strip-14
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
HOOK_BIN_DIR ?= $(PREFIX)/libexec/oci/hooks.d
HOOK_DIR ?= $(PREFIX)/share/containers/oci/hooks.d
MANDIR ?= $(PREFIX)/share/man
VERSION := $(shell cat internal/version/VERSION)
SELINUXOPT ?= $(shell test -x /usr/sbin/selinuxenabled && /usr/sbin/selinuxenabled && echo -Z)
GOBUILDFLAGS ?= -trimpath
export CGO_ENABLED := 1

HOOK := bin/oci-seccomp-bpf-hook
COMPILER := bin/oci-seccomp-compiler
GO_SOURCES := $(shell find . -name '*.go' -not -path './test/*' -not -path './build/*') go.mod go.sum internal/version/VERSION $(wildcard bpf/*.o)

.PHONY: all build generate install uninstall test test-unit test-root test-system test-load demo bench clean deps runtime-traces

all: build

build: $(HOOK) $(COMPILER)

$(HOOK): $(GO_SOURCES)
	$(GO) build $(GOBUILDFLAGS) -o $@ ./hook

$(COMPILER): $(GO_SOURCES)
	$(GO) build $(GOBUILDFLAGS) -o $@ ./compiler

# Every go:generate directive: bpf/gen.go (bpf2go, clang-14) and
# compiler/profile's zsyscalls.go (gen_syscalls.go, libseccomp through cgo).
generate:
	BPF2GO_CC=$(CLANG) BPF2GO_STRIP=$(STRIP) BPF2GO_CFLAGS="-O2 -g -Wall -Werror" $(GO) generate ./...

install: build
	install $(SELINUXOPT) -d -m 755 $(DESTDIR)$(HOOK_BIN_DIR) $(DESTDIR)$(HOOK_DIR) $(DESTDIR)$(BINDIR)
	install $(SELINUXOPT) -m 755 $(HOOK) $(DESTDIR)$(HOOK_BIN_DIR)/oci-seccomp-bpf-hook
	install $(SELINUXOPT) -m 755 $(COMPILER) $(DESTDIR)$(BINDIR)/oci-seccomp-compiler
	sed 's|HOOK_BIN_DIR|$(HOOK_BIN_DIR)|g' hooks.d/oci-seccomp-bpf-hook.json >$(DESTDIR)$(HOOK_DIR)/oci-seccomp-bpf-hook.json
	chmod 644 $(DESTDIR)$(HOOK_DIR)/oci-seccomp-bpf-hook.json

uninstall:
	rm -f $(DESTDIR)$(HOOK_BIN_DIR)/oci-seccomp-bpf-hook $(DESTDIR)$(BINDIR)/oci-seccomp-compiler \
		$(DESTDIR)$(HOOK_DIR)/oci-seccomp-bpf-hook.json

# System packages the build, the tests and the demo need (Debian 12).
deps:
	test/install-deps.sh

test: deps test-unit test-root test-system

# test/cri (the containerd test's CRI client) is a module of its own.
test-unit:
	$(GO) vet ./...
	cd test/cri && $(GO) vet ./...
	$(GO) test ./...

# The eBPF tests need root; under CI=true they fail instead of skipping.
test-root:
	$(GO) test -count=1 ./bpf/... ./hook/...

# The bats suite once per OCI runtime (test/helpers.bash, RUNTIME).
RUNTIMES ?= runc crun
test-system: build
	set -e; for r in $(RUNTIMES); do echo "== bats test/ under $$r"; RUNTIME=$$r bats test/; done

# The 32-container exact-count load test, LOAD_RUNS times in a row: the
# recorder's helper-free path must never lose or misattribute a call.
LOAD_RUNS ?= 10
test-load: build
	set -e; for i in $$(seq $(LOAD_RUNS)); do echo "== load run $$i of $(LOAD_RUNS)"; bats test/05-load.bats; done

demo: deps build
	test/demo.sh

bench: build
	test/bench.sh

# compiler/profile/runtimes/RUNTIME.json, the runtimes' own calls that
# compile --runtime adds, from real podman runs under each of RUNTIMES (as
# root). Learned data: committed, and not regenerated or diffed by CI.
runtime-traces: build
	RUNTIMES="$(RUNTIMES)" test/runtime-traces.sh

clean:
	rm -rf bin

# --- Man pages and packages (docs/packaging.md) ---
#   make docs       build/man/*.1 from docs/*.1.md (go-md2man); installed by make install
#   make dist       build/oci-seccomp-bpf-hook-$(VERSION).tar.gz: the tree plus vendor/
#   make rpm        rpmbuild from that tarball into build/rpm
#   make deb        dpkg-buildpackage -us -uc -b into build/deb
#   make check-package  build both, install the deb, run the bats suite on it, purge
# The package builds run offline: vendor/ is made from the module cache
# when the tarball is, and they use the Go this Makefile resolves (PKG_GO),
# since Debian 12's golang is too old (go.mod needs Go 1.26).

GO_MD2MAN ?= go-md2man
MAN_PAGES := $(patsubst docs/%.md,build/man/%,$(wildcard docs/*.1.md))
PKG_NAME := oci-seccomp-bpf-hook
PKG_STAGE := build/$(PKG_NAME)-$(VERSION)
PKG_TARBALL := build/$(PKG_NAME)-$(VERSION).tar.gz
PKG_GO ?= $(or $(shell command -v $(GO) 2>/dev/null),$(GO))
PKG_GOCACHE ?= $(shell $(PKG_GO) env GOCACHE 2>/dev/null)
RPMBUILD ?= rpmbuild
# --nodeps: the build host is Debian, whose rpm database knows no packages.
# brp-compress: Debian 12's rpm runs it with /bin/sh, but it needs bash
# (read -d), so it would leave the man pages uncompressed.
RPMBUILDFLAGS ?= --nodeps --define '__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}'
DPKG_BUILDPACKAGE ?= dpkg-buildpackage

.PHONY: docs install-man uninstall-man clean-build dist rpm deb check-package

docs: $(MAN_PAGES)

build/man/%.1: docs/%.1.md
	@mkdir -p $(@D)
	$(GO_MD2MAN) -in $< -out $@

# Extra prerequisites of the targets above, so their recipes stay as they are.
install: install-man
uninstall: uninstall-man
clean: clean-build

install-man: docs
	install $(SELINUXOPT) -d -m 755 $(DESTDIR)$(MANDIR)/man1
	install $(SELINUXOPT) -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall-man:
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES)))

clean-build:
	rm -rf build

# dist copies what git would commit now (tracked and untracked files that
# .gitignore keeps, so uncommitted work is included; everything but build/,
# bin/ and .git outside a checkout), then vendors the modules into the copy
# only (-mod=mod: vendor/ is never in the tree itself). The copies are
# removed once packed, so no Go files stay under build/ for find or gofmt.
dist:
	rm -rf $(PKG_STAGE) $(PKG_TARBALL)
	mkdir -p $(PKG_STAGE)
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files --cached --others --exclude-standard | sort -u | \
			while IFS= read -r f; do test -e "$$f" && printf '%s\n' "$$f"; done; \
	else \
		find . -path ./.git -prune -o -path ./build -prune -o -path ./bin -prune -o -type f -print; \
	fi | tar -cf - -T - | tar -C $(PKG_STAGE) -xf -
	cd $(PKG_STAGE) && GOFLAGS=-mod=mod GOTOOLCHAIN=local $(PKG_GO) mod vendor
	tar -C build --sort=name --owner=0 --group=0 --numeric-owner \
		--mtime="$$(git log -1 --format=@%ct 2>/dev/null || echo @0)" \
		-czf $(PKG_TARBALL) $(notdir $(PKG_STAGE))
	rm -rf $(PKG_STAGE)

rpm: dist
	rm -rf build/rpm
	mkdir -p build/rpm/SOURCES
	cp $(PKG_TARBALL) build/rpm/SOURCES/
	GOCACHE=$(PKG_GOCACHE) $(RPMBUILD) -ba $(RPMBUILDFLAGS) \
		--define "_topdir $(CURDIR)/build/rpm" --define "gocmd $(PKG_GO)" \
		rpm/$(PKG_NAME).spec
	cp build/rpm/RPMS/*/*.rpm build/rpm/SRPMS/*.rpm build/rpm/

# The unpacked tree stays in build/deb only when the build fails.
deb: dist
	rm -rf build/deb
	mkdir -p build/deb
	tar -C build/deb -xzf $(PKG_TARBALL)
	cp -a deb/debian build/deb/$(notdir $(PKG_STAGE))/debian
	cd build/deb/$(notdir $(PKG_STAGE)) && \
		GO=$(PKG_GO) GOCACHE=$(PKG_GOCACHE) $(DPKG_BUILDPACKAGE) -us -uc -b
	rm -rf build/deb/$(notdir $(PKG_STAGE))

check-package:
	test/package.sh
