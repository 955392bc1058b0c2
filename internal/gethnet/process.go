package gethnet

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// openLog opens a node's log file for appending and writes a header line.
func openLog(logPath, geth string, args []string) (*os.File, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "=== gethnet %s: %s %s\n", time.Now().Format(time.RFC3339Nano), geth, strings.Join(args, " "))
	return f, nil
}

// runGeth runs a short geth command (such as init) to completion, appending
// its output to logPath. On failure it returns the log's tail.
func runGeth(ctx context.Context, geth, logPath string, args ...string) (string, error) {
	f, err := openLog(logPath, geth, args)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, geth, args...)
	cmd.Stdout, cmd.Stderr = f, f
	setProcAttr(cmd)
	err = cmd.Run()
	f.Close()
	if err != nil {
		return logTail(logPath, 3000), err
	}
	return "", nil
}

// startGeth starts a long-running geth process whose output goes to logPath.
func startGeth(geth, logPath string, args ...string) (*process, error) {
	f, err := openLog(logPath, geth, args)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(geth, args...)
	cmd.Stdout, cmd.Stderr = f, f
	setProcAttr(cmd)
	// The parent-death signal (setProcAttr) fires when the OS thread that
	// started the child exits, not the process, and the Go runtime ends a
	// thread whose goroutine exits while locked to it (go-ethereum code in
	// the same process may do that). So the child is started and waited for
	// from one goroutine locked to its own thread for the child's lifetime.
	started := make(chan error, 1)
	p := &process{done: make(chan struct{})}
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			f.Close()
			started <- err
			return
		}
		p.pid, p.kill = cmd.Process.Pid, cmd.Process.Signal
		started <- nil
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// stopProcess sends SIGTERM, waits up to stopTimeout, then sends SIGKILL and
// waits for the process to be reaped.
func stopProcess(p *process) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := p.kill(syscall.SIGTERM); err != nil {
		select {
		case <-p.done:
			return nil
		default:
		}
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
	}
	if err := p.kill(syscall.SIGKILL); err != nil {
		select {
		case <-p.done:
			return nil
		default:
			return fmt.Errorf("kill pid %d: %w", p.pid, err)
		}
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("pid %d did not exit after SIGKILL", p.pid)
	}
}
