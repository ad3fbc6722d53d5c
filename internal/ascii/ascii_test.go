package ascii

import "testing"

func TestClasses(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		digit := b >= '0' && b <= '9'
		alnum := digit || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
		if IsDigit(b) != digit || IsAlnum(b) != alnum {
			t.Errorf("%q: IsDigit %v IsAlnum %v", b, IsDigit(b), IsAlnum(b))
		}
	}
}
