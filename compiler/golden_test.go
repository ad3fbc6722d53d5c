package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/cli"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenCase runs one command line. OUT in args is replaced by a file in a
// temporary directory; what the command writes there is compared with
// testdata/golden/<name>.json (<name>.yaml for --format spo), and its exit
// code, stdout and stderr with testdata/golden/<name>.txt.
type goldenCase struct {
	name string
	args string
	// check marks cases whose output depends on the libseccomp release.
	check bool
}

var goldenCases = []goldenCase{
	{name: "merge-nginx", args: "merge -o OUT testdata/traces/nginx-1.json testdata/traces/nginx-2.json"},
	{name: "merge-all", args: "merge testdata/traces/python.json testdata/traces/alpine.json testdata/traces/nginx-both.json testdata/traces/nginx-1.json -o OUT"},
	{name: "merge-conflict", args: "merge -o OUT testdata/traces/python.json testdata/bad/python-edited.json"},
	{name: "merge-profile", args: "merge -o OUT testdata/profiles/old-hook.json"},

	{name: "compile-python", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/python.json"},
	{name: "compile-alpine", args: "compile --arch amd64 -o OUT testdata/traces/alpine.json"},
	{name: "compile-nginx", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/nginx-1.json testdata/traces/nginx-2.json"},
	{name: "compile-old-hook-python", args: "compile --base testdata/profiles/old-hook.json --mode extend --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/python.json"},
	{name: "compile-block-mkdir-alpine", args: "compile --base testdata/profiles/block-mkdir.json --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/alpine.json"},
	{name: "compile-default-nginx", args: "compile --base testdata/profiles/default.json --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/nginx-both.json"},
	{name: "compile-default-io-uring", args: "compile --base testdata/profiles/default.json --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/io-uring.json"},
	{name: "compile-default-new-alpine", args: "compile --base testdata/profiles/default-common-v0.62.3.json --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/alpine.json"},
	{name: "compile-mixed", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/golden/compile-python.json testdata/traces/nginx-both.json"},
	{name: "compile-base-only", args: "compile --base testdata/profiles/default.json -o OUT"},
	{name: "compile-unknown-field", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/bad/unknown-field.json"},
	{name: "compile-missing", args: "compile -o OUT testdata/traces/missing.json"},
	{name: "compile-no-output", args: "compile testdata/traces/python.json"},

	{name: "compile-spo-nginx", args: "compile --format spo --name nginx --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/nginx-1.json testdata/traces/nginx-2.json"},
	{name: "compile-spo-default-nginx", args: "compile --base testdata/profiles/default.json --format spo --name nginx --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/nginx-both.json"},
	{name: "compile-spo-default-io-uring", args: "compile --base testdata/profiles/default.json --format spo --name io-uring --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/io-uring.json"},
	{name: "compile-spo-args-python", args: "compile --base testdata/profiles/args.json --mode extend --format spo --name python --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/python.json"},
	{name: "compile-spo-uncovered", args: "compile --base testdata/bad/socket-without-audit.json --format spo --name nginx --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/nginx-1.json"},
	{name: "compile-spo-no-name", args: "compile --format spo -o OUT testdata/traces/python.json"},
	{name: "compile-spo-bad-name", args: "compile --format spo --name My_App -o OUT testdata/traces/python.json"},
	{name: "compile-json-name", args: "compile --name app -o OUT testdata/traces/python.json"},
	{name: "compile-spo-arm64", args: "compile --base testdata/profiles/default.json --format spo --name alpine --arch arm64 -o OUT testdata/traces/alpine.json"},
	// Recorded arguments, one case or more per row of internal/args: a
	// real python3 workload (socket, clone, clone3, personality, ioctl
	// with the terminal group, runc's prctl), two real one-family runs
	// merged, and made-up traces for namespaces, overflow and 32-bit x86.
	{name: "merge-sockets", args: "merge -o OUT testdata/traces/sock-inet.json testdata/traces/sock-unix.json"},
	{name: "compile-args-python", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/args-python.json"},
	{name: "compile-args-sockets", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/sock-inet.json testdata/traces/sock-unix.json"},
	{name: "compile-args-namespaces", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/args-namespaces.json"},
	{name: "compile-args-compat", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/args-compat.json"},
	{name: "compile-args-v1-mix", args: "compile --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/python.json testdata/traces/args-python.json"},
	{name: "compile-default-args-python", args: "compile --base testdata/profiles/default.json --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/args-python.json"},
	{name: "compile-docker-args-python", args: "compile --base testdata/profiles/docker-default.json --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/args-python.json"},
	{name: "compile-docker-extend-args-python", args: "compile --base testdata/profiles/docker-default.json --mode extend --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/args-python.json"},
	// Traced under runc, for crun, and for both.
	{name: "compile-runtime-crun-args-python", args: "compile --runtime crun --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/args-python.json"},
	{name: "compile-runtime-both-args-python", args: "compile --runtime runc,crun --arch SCMP_ARCH_X86_64 -o OUT testdata/traces/args-python.json"},
	{name: "compile-runtime-unknown", args: "compile --runtime runc,kata -o OUT testdata/traces/args-python.json"},
	{name: "diff-docker-args-python", args: "diff --arch SCMP_ARCH_X86_64 testdata/profiles/docker-default.json testdata/golden/compile-docker-args-python.json"},
	{name: "diff-args-sockets", args: "diff --arch SCMP_ARCH_X86_64 testdata/traces/sock-inet.json testdata/traces/sock-unix.json"},
	{name: "diff-args-python-json", args: "diff --json --arch SCMP_ARCH_X86_64 testdata/traces/python.json testdata/traces/args-python.json"},

	{name: "diff-default-python", args: "diff --arch SCMP_ARCH_X86_64 testdata/profiles/default.json testdata/traces/python.json"},
	{name: "diff-default-python-json", args: "diff --json --arch SCMP_ARCH_X86_64 testdata/profiles/default.json testdata/traces/python.json"},
	{name: "diff-default-compiled", args: "diff testdata/profiles/default.json testdata/golden/compile-default-io-uring.json"},
	{name: "diff-same", args: "diff --arch SCMP_ARCH_X86_64 testdata/traces/python.json testdata/golden/compile-python.json"},
	{name: "diff-block-mkdir", args: "diff testdata/profiles/block-mkdir.json testdata/golden/compile-block-mkdir-alpine.json"},
	{name: "diff-nginx-runs", args: "diff --arch SCMP_ARCH_X86_64 testdata/traces/nginx-1.json testdata/traces/nginx-2.json"},
	{name: "diff-missing", args: "diff testdata/profiles/default.json testdata/traces/missing.json"},
	{name: "diff-one-file", args: "diff testdata/profiles/default.json"},

	{name: "check-default", args: "check testdata/profiles/default.json", check: true},
	{name: "check-compiled", args: "check testdata/golden/compile-alpine.json", check: true},
	{name: "check-compiled-default", args: "check testdata/golden/compile-default-io-uring.json", check: true},
	{name: "check-old-hook-json", args: "check --json testdata/profiles/old-hook.json", check: true},
	{name: "check-contradiction", args: "check testdata/bad/contradiction.json", check: true},
	{name: "check-unknown-syscall", args: "check testdata/bad/unknown-syscall.json", check: true},
	{name: "check-trace", args: "check testdata/traces/python.json", check: true},
	{name: "check-docker-default", args: "check testdata/profiles/docker-default.json", check: true},
	{name: "check-args-python", args: "check testdata/golden/compile-args-python.json", check: true},
	{name: "check-docker-args-python", args: "check testdata/golden/compile-docker-args-python.json", check: true},
}

func TestGolden(t *testing.T) {
	lib := libseccompRelease(t)
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.check && lib != profile.SyscallTableSource() {
				t.Skipf("check output depends on libseccomp; golden files were made with %s, this is %q", profile.SyscallTableSource(), lib)
			}
			tmp := t.TempDir()
			out := filepath.Join(tmp, "out.json")
			args := strings.Fields(strings.ReplaceAll(tc.args, "OUT", out))
			var stdout, stderr bytes.Buffer
			code := cli.New(&stdout, &stderr).Run(args)

			var transcript strings.Builder
			transcript.WriteString("$ oci-seccomp-compiler " + tc.args + "\n")
			transcript.WriteString("exit " + strconv.Itoa(code) + "\n")
			transcript.WriteString("--- stdout\n" + stdout.String())
			transcript.WriteString("--- stderr\n" + strings.ReplaceAll(stderr.String(), tmp, "$TMP"))
			compareGolden(t, filepath.Join("testdata", "golden", tc.name+".txt"), []byte(transcript.String()))

			written, err := os.ReadFile(out)
			goldenOut := filepath.Join("testdata", "golden", tc.name+outputExt(tc.args))
			switch {
			case err == nil:
				compareGolden(t, goldenOut, written)
			case *update:
				_ = os.Remove(goldenOut)
			default:
				if _, err := os.Stat(goldenOut); err == nil {
					t.Errorf("no output written, but %s exists", goldenOut)
				}
			}
		})
	}
}

// outputExt is the extension of the golden file for what args write:
// YAML for --format spo, else JSON.
func outputExt(args string) string {
	if strings.Contains(args, "--format spo") {
		return ".yaml"
	}
	return ".json"
}

// TestGoldenDeterministic runs every command that writes a file twice
// and compares the bytes.
func TestGoldenDeterministic(t *testing.T) {
	for _, tc := range goldenCases {
		if !strings.Contains(tc.args, "OUT") {
			continue
		}
		var outs [2][]byte
		for i := range outs {
			out := filepath.Join(t.TempDir(), "out.json")
			cli.New(&bytes.Buffer{}, &bytes.Buffer{}).Run(strings.Fields(strings.ReplaceAll(tc.args, "OUT", out)))
			outs[i], _ = os.ReadFile(out)
		}
		if !bytes.Equal(outs[0], outs[1]) {
			t.Errorf("%s: two runs wrote different files", tc.name)
		}
	}
}

// TestBaseOnlyIsBase checks that compiling a base with no input rewrites
// it unchanged apart from formatting.
func TestBaseOnlyIsBase(t *testing.T) {
	data, err := os.ReadFile("testdata/profiles/default.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := profile.Marshal(p)
	got, err := os.ReadFile("testdata/golden/compile-base-only.json")
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("compile --base default.json with no input is not the base (%v)", err)
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// libseccompRelease reports the libseccomp release Check uses, or "" when
// Check is unavailable.
func libseccompRelease(t *testing.T) string {
	r, err := profile.Check(&seccomp.Seccomp{DefaultAction: seccomp.ActErrno})
	if err != nil {
		t.Logf("check unavailable: %v", err)
		return ""
	}
	return r.Library
}
