package gethnet

import (
	"os/exec"
	"syscall"
)

// setProcAttr makes the kernel kill geth if the test process dies without
// calling Close (for instance on a test timeout), so that no node outlives
// the test.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
