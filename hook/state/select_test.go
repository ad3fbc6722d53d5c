package state

import (
	"strings"
	"testing"

	spec "github.com/opencontainers/runtime-spec/specs-go"
)

func TestSelected(t *testing.T) {
	crio := map[string]string{criONamespace: "shop", criOPod: "web-7d4b9-x2x5q", criOContainer: "app"}
	containerd := map[string]string{containerdNamespace: "shop", containerdPod: "web-7d4b9-k8p2w", containerdContainer: "app", containerdType: "container"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, c := range []struct {
		name   string
		annots map[string]string
		want   Annotation
		traced bool
	}{
		{"no annotation", crio, Annotation{}, false},
		{"plain key", with(crio, AnnotationKey, "of:/p/out.json"), Annotation{Output: "/p/out.json"}, true},
		{"plain key wins", with(crio, AnnotationKey, "of:/p/a.json", ContainerKeyPrefix+"app", "of:/p/b.json"), Annotation{Output: "/p/a.json"}, true},
		{"per-container key, containerd", with(containerd, ContainerKeyPrefix+"app", "of:/p/{namespace}-{pod}-{container}.json;tf:/p/{id}.trace"),
			Annotation{Output: "/p/shop-web-7d4b9-k8p2w-app.json", Trace: "/p/c1.trace"}, true},
		{"per-container key, CRI-O names", with(crio, ContainerKeyPrefix+"app", "of:/p/{pod}.json"), Annotation{Output: "/p/web-7d4b9-x2x5q.json"}, true},
		{"another container's key", with(containerd, ContainerKeyPrefix+"sidecar", "of:/p/x.json"), Annotation{}, false},
		{"sandbox, containerd", with(containerd, containerdType, typeSandbox, AnnotationKey, "of:/p/x.json"), Annotation{}, false},
		{"sandbox, CRI-O", with(crio, criOType, typeSandbox, AnnotationKey, "of:/p/x.json"), Annotation{}, false},
		{"id alone, podman", map[string]string{AnnotationKey: "of:/p/{id}.json"}, Annotation{Output: "/p/c1.json"}, true},
	} {
		a, ok, err := Selected(&spec.State{ID: "c1", Annotations: c.annots})
		if err != nil || ok != c.traced || a != c.want {
			t.Errorf("%s: Selected = %+v, %v, %v; want %+v, %v", c.name, a, ok, err, c.want, c.traced)
		}
	}
}

// Hostile or missing placeholder values refuse the container.
func TestSelectedRejects(t *testing.T) {
	for _, c := range []struct {
		name   string
		annots map[string]string
		why    string
	}{
		{"malformed plain key", map[string]string{AnnotationKey: "of:rel"}, "path must be absolute"},
		{"malformed per-container key", map[string]string{criOContainer: "app", ContainerKeyPrefix + "app": "xf:/x"}, "must start with"},
		{"bad per-container name", map[string]string{ContainerKeyPrefix + "a/../b": "of:/x"}, `holds "/"`},
		{"empty per-container name", map[string]string{ContainerKeyPrefix: "of:/x"}, "missing or empty"},
		{"missing pod", map[string]string{AnnotationKey: "of:/p/{pod}.json"}, "{pod} (from io.kubernetes.pod.name or io.kubernetes.cri.sandbox-name) missing or empty"},
		{"slash", map[string]string{AnnotationKey: "of:/p/{pod}.json", criOPod: "../../etc/x"}, `holds "/"`},
		{"dot dot", map[string]string{AnnotationKey: "of:/p/{pod}/x.json", criOPod: ".."}, `holds ".."`},
		{"dot", map[string]string{AnnotationKey: "of:/p/{pod}/x.json", criOPod: "."}, `holds ".."`},
		{"newline", map[string]string{AnnotationKey: "of:/p/{container}.json", containerdContainer: "a\nb"}, "control character"},
		{"NUL", map[string]string{AnnotationKey: "of:/p/{namespace}.json", criONamespace: "a\x00b"}, "control character"},
		{"long", map[string]string{AnnotationKey: "of:/p/{pod}.json", criOPod: strings.Repeat("x", 300)}, "at most 255"},
		{"unknown placeholder", map[string]string{AnnotationKey: "of:/p/{pods}.json"}, "unknown placeholder {pods}"},
		{"unclosed", map[string]string{AnnotationKey: "of:/p/{pod.json"}, "unknown placeholder {"},
		{"stray brace", map[string]string{AnnotationKey: "of:/p/pod}.json"}, "unknown placeholder }"},
		{"same after expansion", map[string]string{AnnotationKey: "of:/p/{pod};tf:/p/{container}", criOPod: "x", criOContainer: "x"}, "tf: must name another file"},
	} {
		_, ok, err := Selected(&spec.State{ID: "c1", Annotations: c.annots})
		if err == nil || ok || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: Selected = %v, %v; want an error saying %q", c.name, ok, err, c.why)
		}
	}
}

func TestKubernetesNames(t *testing.T) {
	for _, c := range []struct {
		annots map[string]string
		want   Names
	}{
		{map[string]string{criONamespace: "shop", criOPod: "web", criOContainer: "app"}, Names{"shop", "web", "app"}},
		{map[string]string{containerdNamespace: "ns", containerdPod: "p", containerdContainer: "c"}, Names{"ns", "p", "c"}},
		{map[string]string{criOPod: "crio", containerdPod: "containerd", containerdContainer: "c"}, Names{Pod: "crio", Container: "c"}},
		{nil, Names{}},
	} {
		if got := KubernetesNames(&spec.State{Annotations: c.annots}); got != c.want {
			t.Errorf("KubernetesNames(%v) = %+v, want %+v", c.annots, got, c.want)
		}
	}
}
