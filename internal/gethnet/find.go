package gethnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// GethVersion is the geth release this package drives.
const GethVersion = "1.13.15"

// ErrNoGeth is returned (wrapped) by FindGeth when no suitable geth is found.
var ErrNoGeth = errors.New("geth " + GethVersion + " not found (run .ci/install-geth.sh)")

var versionRE = regexp.MustCompile(`(?m)^Version: ([0-9]+\.[0-9]+\.[0-9]+)`)

// FindGeth returns the path of a geth binary that reports version
// GethVersion, looking in PATH and then in $(go env GOBIN) or
// $(go env GOPATH)/bin, like .ci/install-geth.sh.
func FindGeth() (string, error) {
	var candidates []string
	if p, err := exec.LookPath("geth"); err == nil {
		candidates = append(candidates, p)
	}
	for _, dir := range goBinDirs() {
		candidates = append(candidates, filepath.Join(dir, "geth"))
	}
	var tried []string
	for _, c := range candidates {
		v, err := gethVersion(c)
		if err == nil && v == GethVersion {
			return c, nil
		}
		if err == nil {
			tried = append(tried, fmt.Sprintf("%s is %s", c, v))
		} else if !errors.Is(err, os.ErrNotExist) {
			tried = append(tried, fmt.Sprintf("%s: %v", c, err))
		}
	}
	if len(tried) > 0 {
		return "", fmt.Errorf("%w (%s)", ErrNoGeth, strings.Join(tried, "; "))
	}
	return "", ErrNoGeth
}

// gethVersion runs `geth version` and returns the "Version:" number.
func gethVersion(path string) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version").Output()
	if err != nil {
		return "", fmt.Errorf("geth version: %w", err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("geth version: no version in output %q", out)
	}
	return string(m[1]), nil
}

// goBinDirs returns where `go install` puts binaries: GOBIN if set, else
// the first GOPATH entry's bin. It asks the go command when there is one
// and falls back to the environment and $HOME/go.
func goBinDirs() []string {
	var dirs []string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "env", "GOBIN", "GOPATH")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) >= 1 && strings.TrimSpace(lines[0]) != "" {
			dirs = append(dirs, strings.TrimSpace(lines[0]))
		}
		if len(lines) >= 2 && strings.TrimSpace(lines[1]) != "" {
			dirs = append(dirs, filepath.Join(filepath.SplitList(strings.TrimSpace(lines[1]))[0], "bin"))
		}
	}
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if gopath := os.Getenv("GOPATH"); gopath != "" {
		dirs = append(dirs, filepath.Join(filepath.SplitList(gopath)[0], "bin"))
	} else if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	// Deduplicate, keeping order.
	seen := map[string]bool{}
	out := dirs[:0]
	for _, d := range dirs {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
