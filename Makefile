# oci-seccomp-bpf-hook: see README.md. Targets:
#   make            build bin/oci-seccomp-bpf-hook and bin/oci-seccomp-compiler
#   make generate   rebuild the eBPF object and its Go bindings (clang-14)
#   make install    install into $(DESTDIR)$(PREFIX)
#   make test       unit tests, then the privileged tests and the bats system tests
#   make demo       install what it needs, build, trace a demo container, print the profile
#   make bench      benchmarks (see README)

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
GO_SOURCES := $(shell find . -name '*.go' -not -path './test/*') go.mod go.sum internal/version/VERSION $(wildcard bpf/*.o)

.PHONY: all build generate install uninstall test test-unit test-root test-system demo bench clean deps

all: build

build: $(HOOK) $(COMPILER)

$(HOOK): $(GO_SOURCES)
	$(GO) build $(GOBUILDFLAGS) -o $@ ./hook

$(COMPILER): $(GO_SOURCES)
	$(GO) build $(GOBUILDFLAGS) -o $@ ./compiler

generate:
	cd bpf && BPF2GO_CC=$(CLANG) BPF2GO_STRIP=$(STRIP) BPF2GO_CFLAGS="-O2 -g -Wall -Werror" $(GO) generate ./...

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

test: test-unit test-root test-system

test-unit:
	$(GO) vet ./...
	$(GO) test ./...

# The eBPF tests need root; under CI=true they fail instead of skipping.
test-root:
	$(GO) test -count=1 ./bpf/... ./hook/...

test-system: build
	bats test/

demo: deps build
	test/demo.sh

bench: build
	test/bench.sh

clean:
	rm -rf bin
