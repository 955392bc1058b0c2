package devsys

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrepare: which directories become a new system, which are reopened
// and which are refused.
func TestPrepare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string // "" content: a directory
		fresh bool
		want  string   // error; "" for none
		left  []string // entries after prepare
	}{
		{"missing", nil, true, "", []string{markerFile}},
		{"empty", map[string]string{}, true, "", []string{markerFile}},
		{"finished system", map[string]string{markerFile: Version + "\n", stateFile: "{}", chainDir: ""}, false, "", []string{chainDir, stateFile, markerFile}},
		{"interrupted first start", map[string]string{markerFile: Version + "\n", chainDir: "", "rewardd.json": "{}", "notes.txt": "mine"}, true, "", []string{markerFile, "notes.txt"}},
		{"foreign files", map[string]string{"notes.txt": "mine"}, false, "is not empty and has no dev-version", []string{"notes.txt"}},
		{"another version", map[string]string{markerFile: "cmt-rewards dev system 0\n"}, false, `holds a dev system of version "cmt-rewards dev system 0"`, []string{markerFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "dev")
			if tt.files != nil {
				os.Mkdir(dir, 0o755)
			}
			for name, content := range tt.files {
				if content == "" {
					os.Mkdir(filepath.Join(dir, name), 0o755)
				} else {
					os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
				}
			}
			fresh, err := prepare(dir)
			if tt.want != "" {
				if !errors.Is(err, ErrDir) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want %q", err, tt.want)
				}
			} else if err != nil || fresh != tt.fresh {
				t.Fatalf("fresh %v, %v; want %v", fresh, err, tt.fresh)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if strings.Join(names, " ") != strings.Join(tt.left, " ") {
				t.Errorf("left %q, want %q", names, tt.left)
			}
		})
	}
}
