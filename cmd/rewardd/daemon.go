package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// daemon is rewardd's running parts.
type daemon struct {
	cfg      config.Config
	log      *zap.Logger
	client   *rpc.Client
	l        *ledger.Ledger
	follower *follower.Follower
	settler  *settle.Settler
	voter    *submitVoter
	api      *http.Server
	apiLn    net.Listener
	trigger  chan struct{}
}

// hooks let crash tests stop the process at chosen points; production
// passes none.
type hooks struct {
	afterSave func(settle.Record)             // after each settlement record is stored
	onStep    func(step string, epoch uint64) // at each step of a vote transaction
}

// start checks everything that can be checked, in an order that writes
// nothing before the last check passed: configuration, key, node, chain,
// contract; then opens the ledger and the API listener.
func start(ctx context.Context, cfg config.Config, log *zap.Logger, h hooks) (_ *daemon, err error) {
	if err := cfg.CheckDaemon(); err != nil {
		return nil, err
	}
	d := &daemon{cfg: cfg, log: log, trigger: make(chan struct{}, 1)}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	if d.client, err = dialChecked(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.API.Listen != "" {
		if d.apiLn, err = net.Listen("tcp", cfg.API.Listen); err != nil {
			return nil, fmt.Errorf("api.listen: %w", err)
		}
	}
	if d.l, d.voter, err = openLedgerAndVoter(ctx, &cfg, ethclient.NewClient(d.client), log.Named("submitter"), h.onStep); err != nil {
		return nil, err
	}
	params, err := export.ParamsFrom(&cfg)
	if err != nil {
		return nil, err
	}
	d.follower = follower.New(export.FollowerConfig(&cfg), d.client, d.l, log.Named("follower"))
	d.settler = settle.New(settle.Config{Params: params, PublishDir: cfg.Settle.PublishDir, FirstEpoch: cfg.Settle.FirstEpoch, AfterSave: h.afterSave}, d.l, d.voter, log.Named("settle"), nil)
	if d.apiLn != nil {
		drift := func(ctx context.Context) (*export.Drift, error) {
			h, ok, err := d.l.Head()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errors.New("the ledger is empty")
			}
			return export.DriftAt(ctx, export.LedgerSource{L: d.l}, params, h.Number)
		}
		d.api = &http.Server{Handler: api.New(d.settler, &d.follower.Stats, d.voter, log.Named("api"), api.Options{Drift: drift}), ReadHeaderTimeout: 10 * time.Second}
	}
	return d, nil
}

// APIURL is where the API listens, or "".
func (d *daemon) APIURL() string {
	if d.apiLn == nil {
		return ""
	}
	return "http://" + d.apiLn.Addr().String()
}

// run runs until ctx is cancelled: the follower, the settlement schedule
// and the API. On cancellation it stops taking triggers, lets the current
// ledger transaction finish, and shuts the API down.
func (d *daemon) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 3)

	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := d.follower.Run(ctx); err != nil {
			errc <- fmt.Errorf("follower: %w", err)
		}
	}()

	c := cron.New(cron.WithLogger(cron.DiscardLogger))
	if _, err := c.AddFunc(d.cfg.Settle.Schedule, d.poke); err != nil {
		return fmt.Errorf("settle.schedule: %w", err)
	}
	c.Start()
	d.poke() // one pass at start
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-d.trigger:
			}
			if err := d.settler.Pass(ctx); err != nil && ctx.Err() == nil {
				if errors.Is(err, settle.ErrDisputed) {
					d.log.Error("settlement halted", zap.Error(err))
				} else {
					d.log.Warn("settlement pass failed; the next trigger retries", zap.Error(err))
				}
			}
		}
	}()

	if d.api != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.log.Info("api listening", zap.String("url", d.APIURL()))
			if err := d.api.Serve(d.apiLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("api: %w", err)
			}
		}()
	}
	d.log.Info("rewardd running", zap.String("rpc", d.cfg.RPCURL), zap.String("contract", d.cfg.Contract.Hex()),
		zap.String("validator", d.voter.Address().Hex()), zap.String("ledger", d.cfg.LedgerPath), zap.String("schedule", d.cfg.Settle.Schedule))

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	<-c.Stop().Done()
	if d.api != nil {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		d.api.Shutdown(sctx)
		scancel()
	}
	wg.Wait()
	d.log.Info("rewardd stopped")
	return err
}

// poke asks for a settlement pass; triggers while one is pending merge.
func (d *daemon) poke() {
	select {
	case d.trigger <- struct{}{}:
	default:
	}
}

func (d *daemon) close() {
	if d.apiLn != nil && d.api == nil {
		d.apiLn.Close()
	}
	if d.l != nil {
		d.l.Close()
	}
	if d.client != nil {
		d.client.Close()
	}
}
