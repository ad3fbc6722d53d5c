package args

import "testing"

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Table() {
		key := r.Syscall + string(rune('0'+r.Index))
		if seen[key] {
			t.Errorf("%s argument %d twice", r.Syscall, r.Index)
		}
		seen[key] = true
		if r.Index > 5 || (r.Kind != Values && r.Kind != NamespaceFlags) || r.Why == "" {
			t.Errorf("bad row %+v", r)
		}
		if got, ok := Lookup(r.Syscall, r.Index); !ok || got != r || !Restricted(r.Syscall) {
			t.Errorf("Lookup(%s, %d) = %+v, %v", r.Syscall, r.Index, got, ok)
		}
	}
	if len(Table()) > 16 {
		t.Errorf("%d rows, the recorder has room for 16", len(Table()))
	}
	if Restricted("read") {
		t.Error("read restricted")
	}
	// The bits Docker's default profile masks out of clone's flags.
	if NamespaceMask != 0x7e020080 {
		t.Errorf("NamespaceMask = %#x", NamespaceMask)
	}
}
