package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/internal/devsys"
)

// devBlockEvery is the dev system's wall time per block; tests pass less.
const devBlockEvery = devsys.DefaultBlockEvery

// runDev runs the dev system (internal/devsys) in dir, a new temporary
// directory when dir is "", with a daemon per validator, until ctx ends.
// Started again with the same dir it resumes.
func runDev(ctx context.Context, dir, apiListen string, blockEvery time.Duration, stdout io.Writer, log *zap.Logger) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "cmt-rewards-dev-"); err != nil {
			return err
		}
	}
	sys, err := devsys.Open(ctx, dir, apiListen, blockEvery, log.Named("dev"))
	if err != nil {
		return err
	}
	defer sys.Close()
	var daemons []*daemon
	defer func() {
		for _, d := range daemons {
			d.close()
		}
	}()
	for i, cfg := range sys.Configs {
		dlog := log
		if i > 0 {
			dlog = log.Named(fmt.Sprintf("validator-%d", i))
		}
		d, err := start(ctx, cfg, dlog, hooks{})
		if err != nil {
			return fmt.Errorf("validator %d: %w", i, err)
		}
		daemons = append(daemons, d)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { sys.Produce(ctx, log.Named("dev")); close(done) }()
	defer func() { cancel(); <-done }()
	sys.PrintIntro(stdout, daemons[0].APIURL())
	errc := make(chan error, len(daemons))
	for _, d := range daemons[1:] {
		go func() { errc <- d.run(ctx) }()
	}
	err = daemons[0].run(ctx)
	cancel()
	for range daemons[1:] {
		if perr := <-errc; err == nil {
			err = perr
		}
	}
	return err
}
