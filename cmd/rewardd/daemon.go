package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/chaincheck"
	"github.com/cmt-rewards/cmt-rewards/internal/health"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
	"github.com/cmt-rewards/cmt-rewards/web"
)

// daemon is rewardd's running parts.
type daemon struct {
	cfg      config.Config
	log      *zap.Logger
	client   *rpc.Client
	bulk     *follower.Client // the follower's own connection: header batches on the lean path
	l        *ledger.Ledger
	follower *follower.Follower
	settler  *settle.Settler
	voter    *submitVoter
	api      *api.Server  // also without a listener: its Problems feed the log
	http     *http.Server // nil when api.listen is empty
	apiLn    net.Listener
	health   *health.Tracker
	watch    *health.Watch
	trigger  chan struct{}
}

// hooks let crash tests stop the process at chosen points and tests give
// the environment; production passes none.
type hooks struct {
	afterSave func(settle.Record)             // after each settlement record is stored
	onStep    func(step string, epoch uint64) // at each step of a vote transaction
	env       func(string) (string, bool)     // nil: os.LookupEnv
	devBlock  time.Duration                   // the dev system's wall time per block; 0: devBlockEvery
}

// start checks everything that can be checked, in an order that writes
// nothing before the last check passed: configuration, node, chain,
// contract, key; then the ledger against the node and the epoch schedule
// against the contract. A ledger file it created is removed again when a
// check fails.
func start(ctx context.Context, cfg config.Config, log *zap.Logger, h hooks) (_ *daemon, err error) {
	if err := cfg.CheckDaemon(); err != nil {
		return nil, err
	}
	d := &daemon{cfg: cfg, log: log, trigger: make(chan struct{}, 1)}
	_, statErr := os.Stat(cfg.LedgerPath)
	created := errors.Is(statErr, os.ErrNotExist)
	defer func() {
		if err != nil {
			opened := d.l != nil
			d.close()
			if opened && created {
				os.Remove(cfg.LedgerPath)
			}
		}
	}()
	if d.client, err = chaincheck.Dial(ctx, &cfg); err != nil {
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
	if err := chaincheck.Identity(ctx, d.client, d.l, cfg.Follower.MaxReorgDepth); err != nil {
		return nil, fmt.Errorf("ledger_path %s: %w", cfg.LedgerPath, err)
	}
	params, err := export.ParamsFrom(&cfg)
	if err != nil {
		return nil, err
	}
	if d.bulk, err = follower.Dial(ctx, cfg.RPCURL, cfg.Follower.Concurrency); err != nil {
		return nil, fmt.Errorf("rpc_url %s: %w", cfg.RPCURL, err)
	}
	d.follower = follower.New(export.FollowerConfig(&cfg), d.bulk, d.l, log.Named("follower"))
	d.settler = settle.New(settle.Config{Params: params, PublishDir: cfg.Settle.PublishDir, FirstEpoch: cfg.Settle.FirstEpoch, AfterSave: h.afterSave}, d.l, d.voter, log.Named("settle"), nil)
	if err := d.checkStart(ctx); err != nil {
		return nil, err
	}
	d.health, d.watch = health.NewTracker(cfg.Settle.MaxFailedPasses, log.Named("settle")), health.NewWatch(log.Named("health"))
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
	d.api = api.New(d.settler, &d.follower.Stats, d.voter, log.Named("api"), api.Options{
		Drift: drift, Stale: cfg.API.StaleAfter.D(), MaxLagBlocks: cfg.API.MaxLagBlocks, Health: d.health.Problems,
		Holders:     &api.Holders{Ledger: d.l, Params: params, Contract: api.NewContractReader(contractCall(d.client, cfg.Contract))},
		CORSOrigins: cfg.API.CORSOrigins,
	})
	if d.apiLn != nil {
		// The holders' web app at / beside the API (package web).
		site := web.With(d.api, web.Config{ChainID: cfg.ChainID, Contract: cfg.Contract.Hex()})
		d.http = &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
	}
	return d, nil
}

// contractCall reads the validator contract at the node's head, for the
// holders' endpoints.
func contractCall(c *rpc.Client, contract common.Address) api.CallFunc {
	ec := ethclient.NewClient(c)
	return func(ctx context.Context, data []byte) ([]byte, error) {
		return ec.CallContract(ctx, ethereum.CallMsg{To: &contract, Data: data}, nil)
	}
}

// checkStart refuses a schedule under which the contract would never
// accept the first epoch this daemon would settle (chaincheck.Start).
func (d *daemon) checkStart(ctx context.Context) error {
	recs, err := d.settler.Records()
	if err != nil {
		return fmt.Errorf("ledger_path %s: %w", d.cfg.LedgerPath, err)
	}
	current := d.cfg.Settle.FirstEpoch
	for _, r := range recs { // oldest first
		if r.Epoch == current && r.Settled() {
			current++
		}
	}
	st, err := chaincheck.ReadStart(ctx, d.client, d.cfg.Contract, d.cfg.Schedule(), d.cfg.Settle.FirstEpoch, current, d.cfg.StartBlock)
	if err != nil {
		return err
	}
	return st.Check()
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
			d.pass(ctx)
		}
	}()

	if d.http != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.log.Info("api listening", zap.String("url", d.APIURL()))
			if err := d.http.Serve(d.apiLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
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
	if d.http != nil {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		d.http.Shutdown(sctx)
		scancel()
	}
	wg.Wait()
	d.log.Info("rewardd stopped")
	return err
}

// pass runs one settlement pass, unless the node no longer serves the
// ledger's chain: settling from another chain's blocks would vote wrong
// roots. Outcomes go to the health tracker, and a change of the daemon's
// problems to the log.
func (d *daemon) pass(ctx context.Context) {
	err := chaincheck.Identity(ctx, d.client, d.l, d.cfg.Follower.MaxReorgDepth)
	if ctx.Err() != nil {
		return // stopping
	}
	switch {
	case errors.Is(err, chaincheck.ErrIdentity):
		d.health.Identity(err)
	case err != nil: // the node did not answer: the identity is as unknown as the pass
		d.health.Pass(fmt.Errorf("check the chain's identity: %w", err))
	default:
		d.health.Identity(nil)
		err = d.settler.Pass(ctx)
		if ctx.Err() != nil {
			return
		}
		d.health.Pass(err)
	}
	d.watch.Update(d.api.Problems(ctx))
}

// poke asks for a settlement pass; triggers while one is pending merge.
func (d *daemon) poke() {
	select {
	case d.trigger <- struct{}{}:
	default:
	}
}

func (d *daemon) close() {
	if d.apiLn != nil && d.http == nil {
		d.apiLn.Close()
	}
	if d.l != nil {
		d.l.Close()
	}
	if d.client != nil {
		d.client.Close()
	}
	if d.bulk != nil {
		d.bulk.Close()
	}
}
