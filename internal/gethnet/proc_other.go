//go:build !linux

package gethnet

import "os/exec"

func setProcAttr(cmd *exec.Cmd) {}
