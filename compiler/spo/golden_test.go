package spo

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// goldenResources are the outputs of compile --format spo that the
// compiler's golden tests pin (../golden_test.go): a plain traced profile,
// profiles compiled on the engine's default profile for x86_64 and arm64
// (capability and architecture conditions, archMap, defaultErrnoRet) and
// one with argument conditions.
var goldenResources = []string{
	"compile-spo-nginx.yaml",
	"compile-spo-default-nginx.yaml",
	"compile-spo-default-io-uring.yaml",
	"compile-spo-arm64.yaml",
	"compile-spo-args-python.yaml",
}

// TestGoldenResourcesMatchCRD is the check: every golden resource is
// accepted by the CRD's schema and Kubernetes' rules for metadata.
func TestGoldenResourcesMatchCRD(t *testing.T) {
	found, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "compile-spo-*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range found {
		names = append(names, filepath.Base(f))
	}
	if !slices.Equal(names, slices.Sorted(slices.Values(goldenResources))) {
		t.Errorf("golden resources are %v, want %v", names, goldenResources)
	}
	for _, name := range goldenResources {
		doc, err := os.ReadFile(filepath.Join("..", "testdata", "golden", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range validateYAML(doc) {
			t.Errorf("%s: %s", name, e)
		}
	}
}
