package spo

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"sigs.k8s.io/yaml"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
)

// TestValidatorRefuses makes sure the check catches what the operator
// refuses: each case changes one thing in a valid resource.
func TestValidatorRefuses(t *testing.T) {
	// nginx on the engine's default profile: rules with errnoRet,
	// argument conditions, annotations.
	tr := loadTrace(t, "nginx-both.json")
	p, err := profile.Compile(loadProfile(t, "default.json"), profile.Inputs{Mode: profile.ModeRestrict, Traces: []*trace.Trace{tr}, NativeArch: x86})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := Convert(p, Options{Name: "nginx", NativeArch: x86, Traces: []*trace.Trace{tr}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	if errs := validateYAML(doc); len(errs) > 0 {
		t.Fatalf("the resource the cases start from is invalid: %v", errs)
	}
	// The rule with argument conditions the cases change: socket, with
	// errnoRet 22.
	const argRule = 11

	big := strings.Repeat("x", 200<<10)
	for _, tc := range []struct {
		name   string
		change func(obj map[string]any)
		want   string
	}{
		{"rule comment", func(o map[string]any) { rule(o, 0)["comment"] = "from base" }, "spec.syscalls[0]: unknown field comment"},
		{"includes", func(o map[string]any) { rule(o, 0)["includes"] = map[string]any{} }, "unknown field includes"},
		{"excludes", func(o map[string]any) { rule(o, 0)["excludes"] = map[string]any{"caps": []any{"CAP_SYS_ADMIN"}} }, "unknown field excludes"},
		{"errno name", func(o map[string]any) { rule(o, 0)["errno"] = "EPERM" }, "unknown field errno"},
		{"defaultErrnoRet", func(o map[string]any) { spec(o)["defaultErrnoRet"] = 38 }, "spec: unknown field defaultErrnoRet"},
		{"archMap", func(o map[string]any) { spec(o)["archMap"] = []any{} }, "spec: unknown field archMap"},
		{"namespace", func(o map[string]any) { meta(o)["namespace"] = "default" }, "metadata: unknown field namespace"},
		{"status", func(o map[string]any) { o["status"] = map[string]any{} }, "unknown field status"},
		{"action", func(o map[string]any) { rule(o, 0)["action"] = "SCMP_ACT_DENY" }, `"SCMP_ACT_DENY" is not one of`},
		{"default action", func(o map[string]any) { spec(o)["defaultAction"] = "SCMP_ACT_KILL_ALL" }, `"SCMP_ACT_KILL_ALL" is not one of`},
		{"arch", func(o map[string]any) { spec(o)["architectures"] = []any{"SCMP_ARCH_AMD64"} }, `"SCMP_ARCH_AMD64" is not one of`},
		{"flag", func(o map[string]any) { spec(o)["flags"] = []any{"SECCOMP_FILTER_FLAG_NEW_LISTENER"} }, "is not one of"},
		{"op", func(o map[string]any) { arg(o, argRule, 0)["op"] = "SCMP_CMP_IN" }, `"SCMP_CMP_IN" is not one of`},
		{"errnoRet string", func(o map[string]any) { rule(o, argRule)["errnoRet"] = "22" }, "errnoRet: want an int64"},
		{"errnoRet fraction", func(o map[string]any) { rule(o, argRule)["errnoRet"] = 1.5 }, "errnoRet: want an int64"},
		{"errnoRet int32", func(o map[string]any) { rule(o, argRule)["errnoRet"] = 1 << 31 }, "is not an int32"},
		{"errnoRet negative", func(o map[string]any) { rule(o, argRule)["errnoRet"] = -1 }, "-1 is negative"},
		{"value negative", func(o map[string]any) { arg(o, argRule, 0)["value"] = -16 }, "args[0].value: -16 is negative"},
		{"value beyond int64", func(o map[string]any) { arg(o, argRule, 0)["valueTwo"] = jsontext.Value("9223372036854775808") }, "valueTwo: want an int64"},
		{"index missing", func(o map[string]any) { delete(arg(o, argRule, 0), "index") }, "required field index is missing"},
		{"seven args", func(o map[string]any) {
			r := rule(o, argRule)
			r["args"] = slices.Repeat(r["args"].([]any), 4)[:7]
		}, "7 items, want at most 6"},
		{"name twice", func(o map[string]any) { rule(o, 0)["names"] = []any{"bdflush", "bdflush"} }, `item "bdflush" repeated in a set`},
		{"arch twice", func(o map[string]any) { spec(o)["architectures"] = []any{"SCMP_ARCH_X86", "SCMP_ARCH_X86"} }, "repeated in a set"},
		{"no names", func(o map[string]any) { rule(o, 0)["names"] = []any{} }, "0 items, want at least 1"},
		{"names null", func(o map[string]any) { rule(o, 0)["names"] = nil }, "names: want an array"},
		{"no action", func(o map[string]any) { delete(rule(o, 0), "action") }, "required field action is missing"},
		{"no default action", func(o map[string]any) { delete(spec(o), "defaultAction") }, "required field defaultAction is missing"},
		{"no spec", func(o map[string]any) { delete(o, "spec") }, "required field spec is missing"},
		{"name", func(o map[string]any) { meta(o)["name"] = "My_App" }, `"My_App" does not match`},
		{"long name", func(o map[string]any) { meta(o)["name"] = strings.Repeat("a", 254) }, "254 characters"},
		{"annotation key", func(o map[string]any) { meta(o)["annotations"].(map[string]any)["why it is here"] = "x" }, "is not a qualified name"},
		{"annotation value", func(o map[string]any) { meta(o)["annotations"].(map[string]any)["a"] = 1 }, "want a string"},
		{"annotations too large", func(o map[string]any) { meta(o)["annotations"].(map[string]any)["a"] = big }, "more than 262144"},
		{"listener path", func(o map[string]any) { spec(o)["listenerPath"] = "/run/agent.sock" }, "does not match"},
		{"api version", func(o map[string]any) { o["apiVersion"] = "security-profiles-operator.x-k8s.io/v2" }, "is not one of"},
		{"kind", func(o map[string]any) { o["kind"] = "SeccompProfiles" }, "is not one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := decodeYAML(t, doc)
			tc.change(obj)
			data, err := jsonfile.Marshal(obj, 0)
			if err != nil {
				t.Fatal(err)
			}
			// JSON is YAML: validate the changed document as is.
			errs := validateYAML(data)
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tc.want) }) {
				t.Errorf("errors %q, want one containing %q", errs, tc.want)
			}
		})
	}
}

// TestValidatorAccepts checks the validator against resources the
// operator documents or accepts, so that it is not stricter than the CRD
// where Convert might one day go.
func TestValidatorAccepts(t *testing.T) {
	for _, doc := range []string{
		// installation-usage.md's first example.
		"apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata:\n  name: profile1\nspec:\n  defaultAction: SCMP_ACT_LOG\n",
		// v1beta1, served too, with state, flags, a listener, baseProfileName and labels.
		`{"apiVersion": "security-profiles-operator.x-k8s.io/v1beta1", "kind": "SeccompProfile",
		  "metadata": {"name": "a.b-c", "labels": {"app.kubernetes.io/name": "x"}, "annotations": {"description": "x"}},
		  "spec": {"defaultAction": "SCMP_ACT_ERRNO", "state": "Disabled", "baseProfileName": "runc-v1.2.0",
		    "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/var/run/security-profiles-operator/agent.sock", "listenerMetadata": "m",
		    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOTIFY", "errnoRet": 0,
		      "args": [{"index": 0, "op": "SCMP_CMP_MASKED_EQ", "value": 9223372036854775807}]}]}}`,
	} {
		if errs := validateYAML([]byte(doc)); len(errs) > 0 {
			t.Errorf("%s: %v", doc, errs)
		}
	}
}

// TestProfileEnumsInCRD guards Convert, which relies on profile.Validate
// for its values: every action, architecture, operator and flag the
// profile package accepts must be in the CRD's enums.
func TestProfileEnumsInCRD(t *testing.T) {
	check := func(what string, values []string, enum []string) {
		for _, v := range values {
			if !slices.Contains(enum, v) {
				t.Errorf("profile accepts %s %s, which the CRD does not", what, v)
			}
		}
	}
	check("action", strs(profile.KnownActions()), crdActions)
	check("architecture", strs(profile.KnownArches()), crdArches)
	check("operator", strs(profile.KnownOperators()), crdOperators)
	check("flag", strs(profile.KnownFlags()), crdFlags)
}

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// decodeYAML turns a YAML document into JSON values to change.
func decodeYAML(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := jsonfile.Unmarshal(data, &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

func meta(o map[string]any) map[string]any { return o["metadata"].(map[string]any) }
func spec(o map[string]any) map[string]any { return o["spec"].(map[string]any) }
func rule(o map[string]any, i int) map[string]any {
	return spec(o)["syscalls"].([]any)[i].(map[string]any)
}
func arg(o map[string]any, i, j int) map[string]any {
	return rule(o, i)["args"].([]any)[j].(map[string]any)
}
