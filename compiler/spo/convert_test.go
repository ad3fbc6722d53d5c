package spo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

const x86 = seccomp.ArchX86_64

// convert parses doc as a profile, converts it for x86_64 and checks the
// result against the CRD.
func convert(t *testing.T, doc string, traces ...*trace.Trace) *SeccompProfile {
	t.Helper()
	sp, err := Convert(parse(t, doc), Options{Name: "app", NativeArch: x86, Traces: traces})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	mustMatchCRD(t, sp)
	return sp
}

func parse(t *testing.T, doc string) *seccomp.Seccomp {
	t.Helper()
	p, err := profile.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustMatchCRD(t *testing.T, sp *SeccompProfile) []byte {
	t.Helper()
	doc, err := Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range validateYAML(doc) {
		t.Errorf("%s\n%s", e, doc)
	}
	return doc
}

func loadTrace(t *testing.T, name string) *trace.Trace {
	t.Helper()
	tr, err := trace.Parse(testdata(t, "traces", name))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func loadProfile(t *testing.T, name string) *seccomp.Seccomp {
	t.Helper()
	return parse(t, string(testdata(t, "profiles", name)))
}

// testdata reads a file of the compiler's test data.
func testdata(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestConvertPlain(t *testing.T) {
	sp := convert(t, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_LOG"],
		"syscalls": [
			{"names": ["read", "write", "read"], "action": "SCMP_ACT_ALLOW", "comment": "seen 3x by sh in 1/1 runs"},
			{"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errno": "EACCES", "comment": "no directories"},
			{"names": ["kill"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5},
			{"names": ["getpid"], "action": "SCMP_ACT_TRACE", "errnoRet": 7, "comment": "watched"}]}`)
	errno := func(n int32) *int32 { return &n }
	want := &SeccompProfile{
		APIVersion: "security-profiles-operator.x-k8s.io/v1",
		Kind:       "SeccompProfile",
		Metadata: ObjectMeta{Name: "app", Annotations: map[string]string{
			"oci-seccomp-bpf-hook.io/rule-000": "seen 3x by sh in 1/1 runs",
			"oci-seccomp-bpf-hook.io/rule-001": "no directories",
			"oci-seccomp-bpf-hook.io/rule-003": "watched",
		}},
		Spec: Spec{
			DefaultAction: seccomp.ActErrno,
			Architectures: []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchX86},
			Flags:         []string{"SECCOMP_FILTER_FLAG_LOG"},
			Syscalls: []Syscall{
				{Names: []string{"read", "write"}, Action: seccomp.ActAllow},
				{Names: []string{"mkdir"}, Action: seccomp.ActErrno, ErrnoRet: errno(13)},
				// errnoRet means nothing to SCMP_ACT_ALLOW.
				{Names: []string{"kill"}, Action: seccomp.ActAllow},
				{Names: []string{"getpid"}, Action: seccomp.ActTrace, ErrnoRet: errno(7)},
			},
		},
	}
	if !reflect.DeepEqual(sp, want) {
		t.Errorf("got  %+v\nwant %+v", sp, want)
	}
}

func TestConvertArgs(t *testing.T) {
	sp := convert(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [
			{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"},
			{"index": 5, "value": 9223372036854775807, "valueTwo": 1, "op": "SCMP_CMP_LE"}]}]}`)
	want := []Arg{
		{Index: 0, Value: 2114060288, ValueTwo: 0, Op: seccomp.OpMaskedEqual},
		{Index: 5, Value: 1<<63 - 1, ValueTwo: 1, Op: seccomp.OpLessEqual},
	}
	if got := sp.Spec.Syscalls[0].Args; !reflect.DeepEqual(got, want) {
		t.Errorf("args %+v, want %+v", got, want)
	}
}

// TestConvertConditions covers each way a condition on architectures or
// capabilities is resolved for x86_64 and containers without
// capabilities.
func TestConvertConditions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules string
		// names of the rules kept, comma-separated per rule.
		kept []string
		// annotation of the first kept rule, resolved lines and target.
		comment, resolved, target string
	}{
		{
			name:    "arch holds",
			rules:   `{"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}, "comment": "c"}`,
			kept:    []string{"arch_prctl"},
			comment: "c [was: on amd64,x32]",
			target:  "SCMP_ARCH_X86_64 nodes",
		},
		{
			name: "arch does not hold",
			rules: `{"names": ["cacheflush"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm", "arm64"]}, "comment": "c"},
				{"names": ["read"], "action": "SCMP_ACT_ALLOW"}`,
			kept:     []string{"read"},
			resolved: "dropped the profile's syscalls[0] (cacheflush) SCMP_ACT_ALLOW [on arm,arm64]: not on amd64 (c)",
			target:   "SCMP_ARCH_X86_64 nodes",
		},
		{
			name: "blocked elsewhere",
			rules: `{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "excludes": {"arches": ["amd64"]}},
				{"names": ["read"], "action": "SCMP_ACT_ALLOW"}`,
			kept:     []string{"read"},
			resolved: "dropped the profile's syscalls[0] (mkdir) SCMP_ACT_ERRNO [not on amd64]: not on amd64",
			target:   "SCMP_ARCH_X86_64 nodes",
		},
		{
			name: "allowed with capabilities",
			rules: `{"names": ["chroot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_CHROOT"]}, "comment": "c"},
				{"names": ["chroot"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_CHROOT"]}, "errnoRet": 1}`,
			kept:     []string{"chroot"},
			comment:  "[was: without caps CAP_SYS_CHROOT]",
			resolved: "dropped the profile's syscalls[0] (chroot) SCMP_ACT_ALLOW [caps CAP_SYS_CHROOT]: needs capabilities (c)",
			target:   "containers without capabilities",
		},
		{
			name: "allowed without capabilities, and with them by another rule",
			rules: `{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_AUDIT_WRITE"]},
					"args": [{"index": 0, "value": 16, "valueTwo": 0, "op": "SCMP_CMP_NE"}]},
				{"names": ["socket", "bind"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_AUDIT_WRITE"], "arches": ["amd64"]}}`,
			kept:     []string{"socket"},
			comment:  "[was: without caps CAP_AUDIT_WRITE; with them, the profile's syscalls[1] allows the calls]",
			resolved: "dropped the profile's syscalls[1] (socket and 1 more) SCMP_ACT_ALLOW [caps CAP_AUDIT_WRITE; on amd64]: needs capabilities",
			target:   "SCMP_ARCH_X86_64 nodes, containers without capabilities",
		},
		{
			name:  "no names",
			rules: `{"names": [], "action": "SCMP_ACT_ALLOW"}, {"names": ["read"], "action": "SCMP_ACT_ALLOW", "comment": "c"}`,
			kept:  []string{"read"}, comment: "c",
			resolved: "dropped the profile's syscalls[0] SCMP_ACT_ALLOW without names: it matches no call",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := convert(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [`+tc.rules+`]}`)
			var kept []string
			for _, r := range sp.Spec.Syscalls {
				kept = append(kept, strings.Join(r.Names, ","))
			}
			if !reflect.DeepEqual(kept, tc.kept) {
				t.Errorf("kept rules %q, want %q", kept, tc.kept)
			}
			for key, want := range map[string]string{
				AnnotationRule + "000": tc.comment,
				AnnotationResolved:     tc.resolved,
				AnnotationTarget:       tc.target,
			} {
				if got := sp.Metadata.Annotations[key]; got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
			for _, r := range sp.Spec.Syscalls {
				if r.Action == seccomp.ActErrno && (r.ErrnoRet == nil || *r.ErrnoRet != 1) {
					t.Errorf("rule %v lost its errnoRet", r.Names)
				}
			}
		})
	}
}

// TestConvertRefuses covers what a SeccompProfile cannot say without
// allowing more, and values outside the CRD.
func TestConvertRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{
			name: "blocked only with capabilities",
			doc: `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
				{"names": ["bpf", "perf_event_open"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}`,
			want: "convert syscalls[0] (bpf and 1 more): not expressible as a SeccompProfile: SCMP_ACT_ERRNO only for containers holding CAP_SYS_ADMIN",
		},
		{
			name: "allowed only without capabilities",
			doc: `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
				{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_AUDIT_WRITE"]},
					"args": [{"index": 0, "value": 16, "valueTwo": 0, "op": "SCMP_CMP_NE"}]}]}`,
			want: "convert syscalls[0] (socket): not expressible as a SeccompProfile: socket allowed only without CAP_AUDIT_WRITE, and no rule allows socket with it",
		},
		{
			name: "covered only with arguments",
			doc: `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
				{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_AUDIT_WRITE"]}},
				{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_AUDIT_WRITE"]},
					"args": [{"index": 0, "value": 16, "valueTwo": 0, "op": "SCMP_CMP_NE"}]}]}`,
			want: "no rule allows socket with it",
		},
		{
			name: "covered only on another architecture",
			doc: `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
				{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_AUDIT_WRITE"]}},
				{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_AUDIT_WRITE"], "arches": ["arm64"]}}]}`,
			want: "no rule allows socket with it",
		},
		{
			name: "argument beyond int64",
			doc: `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["ioctl"], "action": "SCMP_ACT_ALLOW",
				"args": [{"index": 1, "value": 18446744073709551615, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]}`,
			want: "convert syscalls[0] (ioctl): not expressible as a SeccompProfile: args[0] compares with 0xffffffffffffffff",
		},
		{
			name: "seven argument conditions",
			doc: `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["ioctl"], "action": "SCMP_ACT_ALLOW",
				"args": [` + strings.Repeat(`{"index": 1, "value": 1, "valueTwo": 0, "op": "SCMP_CMP_NE"},`, 6) + `
					{"index": 1, "value": 1, "valueTwo": 0, "op": "SCMP_CMP_NE"}]}]}`,
			want: "7 argument conditions, and the CRD allows 6",
		},
		{
			name: "errno 0",
			doc:  `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["sync"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0}]}`,
			want: "errnoRet 0, which the operator leaves out",
		},
		{
			name: "listener elsewhere",
			doc:  `{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_NOTIFY"}]}`,
			want: `convert listenerPath "/run/agent.sock"`,
		},
		{
			name: "both architectures and archMap",
			doc: `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
				"archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []}], "syscalls": []}`,
			want: "both architectures and archMap",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Convert(parse(t, tc.doc), Options{Name: "app", NativeArch: x86})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !strings.Contains(tc.name, "both") && !errors.Is(err, ErrUnsupported) {
				t.Errorf("error %v does not wrap ErrUnsupported", err)
			}
		})
	}
}

func TestConvertArchMap(t *testing.T) {
	const doc = `{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [
		{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
		{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}], "syscalls": []}`
	sp := convert(t, doc)
	if want := []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchX86, seccomp.ArchX32}; !reflect.DeepEqual(sp.Spec.Architectures, want) {
		t.Errorf("architectures %v, want %v", sp.Spec.Architectures, want)
	}
	if got := sp.Metadata.Annotations[AnnotationTarget]; got != "SCMP_ARCH_X86_64 nodes" {
		t.Errorf("target %q", got)
	}

	sp, err := Convert(parse(t, doc), Options{Name: "app", NativeArch: seccomp.ArchS390X})
	if err != nil {
		t.Fatal(err)
	}
	if sp.Spec.Architectures != nil {
		t.Errorf("architectures %v for a host without an archMap entry, want none", sp.Spec.Architectures)
	}
	if got := sp.Metadata.Annotations[AnnotationResolved]; got != "archMap: no entry for SCMP_ARCH_S390X, so the native architecture alone" {
		t.Errorf("resolved %q", got)
	}
}

// TestConvertDefaultErrno checks that the recorded calls the default
// action answers keep the profile's defaultErrnoRet, and only those.
func TestConvertDefaultErrno(t *testing.T) {
	tr := loadTrace(t, "io-uring.json")
	base := loadProfile(t, "default.json")
	p, err := profile.Compile(base, profile.Inputs{Mode: profile.ModeRestrict, Traces: []*trace.Trace{tr}, NativeArch: x86})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := Convert(p, Options{Name: "uring", NativeArch: x86, Traces: []*trace.Trace{tr}})
	if err != nil {
		t.Fatal(err)
	}
	mustMatchCRD(t, sp)
	last := sp.Spec.Syscalls[len(sp.Spec.Syscalls)-1]
	// io_pgetevents, also recorded, is blocked by the base's first rule
	// with EPERM, and stays so.
	want := Syscall{Names: []string{"fchmodat2", "io_uring_enter", "io_uring_register", "io_uring_setup"}, Action: seccomp.ActErrno}
	if last.ErrnoRet == nil || *last.ErrnoRet != 38 {
		t.Errorf("last rule's errnoRet %v, want 38", last.ErrnoRet)
	}
	last.ErrnoRet = nil
	if !reflect.DeepEqual(last, want) {
		t.Errorf("last rule %+v, want %+v", last, want)
	}

	// Without traces, nothing is known to keep.
	sp, err = Convert(p, Options{Name: "uring", NativeArch: x86})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(sp.Spec.Syscalls), len(p.Syscalls)-1; got != want {
		t.Errorf("%d rules without traces, want %d (one dropped, none added)", got, want)
	}
	if got := sp.Metadata.Annotations[AnnotationResolved]; !strings.Contains(got, "defaultErrnoRet 38: the CRD has none, so the default action returns EPERM\n") &&
		!strings.HasSuffix(got, "defaultErrnoRet 38: the CRD has none, so the default action returns EPERM") {
		t.Errorf("resolved %q does not mention defaultErrnoRet", got)
	}
	if _, ok := sp.Metadata.Annotations[AnnotationCoverage]; ok {
		t.Error("coverage without traces")
	}
}

func TestConvertCoverage(t *testing.T) {
	a, b := loadTrace(t, "nginx-1.json"), loadTrace(t, "nginx-2.json")
	p := parse(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}`)
	var docs [][]byte
	for _, traces := range [][]*trace.Trace{{a, b}, {b, a}, {a, b, a}} {
		sp, err := Convert(p, Options{Name: "nginx", NativeArch: x86, Traces: traces})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, mustMatchCRD(t, sp))
	}
	if !bytes.Equal(docs[0], docs[1]) || !bytes.Equal(docs[0], docs[2]) {
		t.Errorf("the order or repetition of traces changes the resource:\n%s\n%s", docs[0], docs[1])
	}
	for _, want := range []string{`{"runs":2,"syscalls":{"accept4":2,`, `"kill":1,`, `"writev":2}}`} {
		if !bytes.Contains(docs[0], []byte(want)) {
			t.Errorf("coverage lacks %s:\n%s", want, docs[0])
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"a", "my-app", "my-app.v2", "0", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63)} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("ValidateName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "My-App", "my_app", "-app", "app-", "app.", ".app", "a..b", "app/x", strings.Repeat("a", 254)} {
		if err := ValidateName(bad); !errors.Is(err, ErrName) {
			t.Errorf("ValidateName(%q) = %v, want ErrName", bad, err)
		}
	}
	if _, err := Convert(parse(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}`), Options{Name: "App", NativeArch: x86}); !errors.Is(err, ErrName) {
		t.Errorf("Convert with a bad name: %v", err)
	}
}

func TestConvertNeedsNativeArch(t *testing.T) {
	for _, a := range []seccomp.Arch{"", seccomp.ArchNative, "SCMP_ARCH_VAX"} {
		if _, err := Convert(parse(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}`), Options{Name: "app", NativeArch: a}); err == nil {
			t.Errorf("Convert with native architecture %q succeeded", a)
		}
	}
}

func TestLocalhostProfile(t *testing.T) {
	for name, want := range map[string]string{"my-app": "operator/my-app.json", "my-app.json": "operator/my-app.json"} {
		if got := LocalhostProfile(name); got != want {
			t.Errorf("LocalhostProfile(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestMarshal(t *testing.T) {
	sp := convert(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "comment": "why: \"quoted\"\nand a second line"}]}`)
	doc, err := Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Written by oci-seccomp-compiler. Apply with kubectl apply -f; pods select it with
# securityContext.seccompProfile: {type: Localhost, localhostProfile: operator/app.json}
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata:
  annotations:
    oci-seccomp-bpf-hook.io/rule-000: |-
      why: "quoted"
      and a second line
  name: app
spec:
  defaultAction: SCMP_ACT_ERRNO
  syscalls:
  - action: SCMP_ACT_ALLOW
    names:
    - read
`
	if string(doc) != want {
		t.Errorf("got\n%s\nwant\n%s", doc, want)
	}
	if _, err := Marshal(nil); err == nil {
		t.Error("Marshal(nil) succeeded")
	}
}
