package audit

import "testing"

func TestCompactBlocks(t *testing.T) {
	t.Parallel()
	if got := compactBlocks([]uint64{3, 4, 5, 9, 12, 13}, 12); got != "3–5, 9, 12–13 (6 blocks)" {
		t.Errorf("got %q", got)
	}
	if got := compactBlocks([]uint64{1, 3, 5, 7, 9}, 2); got != "1, 3, … and 3 more (5 blocks)" {
		t.Errorf("got %q", got)
	}
}
