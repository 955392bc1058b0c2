package version

import "testing"

func TestString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		info Info
		want string
	}{
		{"empty", Info{}, "unknown build"},
		{"test binary", Info{Module: "m", Version: "(devel)", GoVersion: "go1.26.8"}, "m (devel) go1.26.8"},
		{"stamped", Info{Module: "m", Version: "v1.2.3", Commit: "abc", Time: "2026-01-02T03:04:05Z", GoVersion: "go1.26.8"},
			"m v1.2.3 commit abc (2026-01-02T03:04:05Z) go1.26.8"},
		{"modified", Info{Module: "m", Version: "(devel)", Commit: "abc", Modified: true}, "m (devel) commit abc (modified)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.info.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestGet: a test binary has build information with the toolchain's
// version (the commit is stamped only into go build binaries).
func TestGet(t *testing.T) {
	t.Parallel()
	info, ok := Get()
	if !ok || info.GoVersion == "" {
		t.Fatalf("Get() = %+v, %v", info, ok)
	}
}
