// Package version tells which build of the module is running: its module
// version and the VCS commit it was built from, as the Go toolchain stamps
// them into the binary (runtime/debug.ReadBuildInfo). Commands print it for
// bug reports; nothing here is set by hand or by linker flags.
package version

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Info is what the binary knows about its build. Fields the toolchain did
// not stamp are empty: a test binary, or a build with -buildvcs=false or
// outside a repository, has no commit.
type Info struct {
	Module    string // module path, e.g. github.com/cmt-rewards/cmt-rewards
	Version   string // module version; "(devel)" for a build of a work tree
	Commit    string // VCS revision (full hash)
	Time      string // commit time, RFC 3339
	Modified  bool   // the work tree had uncommitted changes
	GoVersion string // toolchain, e.g. go1.26.8
}

// Get reads the running binary's build information. ok is false when the
// binary carries none (built without module support), and Info is then
// empty but usable.
func Get() (info Info, ok bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{}, false
	}
	info = Info{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info, true
}

// String renders Info on one line, e.g.
// "github.com/cmt-rewards/cmt-rewards (devel) commit f919abc… (2026-01-02T03:04:05Z, modified) go1.26.8".
// Unknown parts are left out; an empty Info is "unknown build".
func (i Info) String() string {
	var parts []string
	if i.Module != "" {
		parts = append(parts, i.Module)
	}
	if i.Version != "" {
		parts = append(parts, i.Version)
	}
	if i.Commit != "" {
		c := "commit " + i.Commit
		var notes []string
		if i.Time != "" {
			notes = append(notes, i.Time)
		}
		if i.Modified {
			notes = append(notes, "modified")
		}
		if len(notes) > 0 {
			c += fmt.Sprintf(" (%s)", strings.Join(notes, ", "))
		}
		parts = append(parts, c)
	}
	if i.GoVersion != "" {
		parts = append(parts, i.GoVersion)
	}
	if len(parts) == 0 {
		return "unknown build"
	}
	return strings.Join(parts, " ")
}
