// Command rewardd is the CMT rewards settlement daemon. This version
// follows the chain into the ledger; settlement, submission and the HTTP
// API build on it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cmt-rewards/cmt-rewards/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	return runWith(ctx, args, os.Stdout, stderr, hooks{})
}

func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, h hooks) int {
	fs := flag.NewFlagSet("rewardd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "configuration file (JSON)")
	dev := fs.Bool("dev", false, "run a complete local system: an embedded chain with the contract, validators, delegators and short epochs")
	devDir := fs.String("dev-dir", "", "with --dev: directory for the dev system's files (default: a new temporary directory)")
	devAPI := fs.String("dev-api", "127.0.0.1:8480", "with --dev: API listen address")
	logFormat := fs.String("log-format", "", "log format: json (production default) or console (--dev default)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if (*cfgPath == "") == !*dev || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: rewardd --config FILE | --dev [--dev-dir DIR] [--dev-api ADDR]  [--log-format json|console] [--log-level info]")
		return 2
	}
	if *logFormat == "" {
		*logFormat = "json"
		if *dev {
			*logFormat = "console"
		}
	}
	log, err := newLogger(*logFormat, *logLevel, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "rewardd: %v\n", err)
		return 2
	}
	defer log.Sync()
	if *dev {
		if err := runDev(ctx, *devDir, *devAPI, devBlockEvery, stdout, log); err != nil {
			fmt.Fprintf(stderr, "rewardd: %v\n", err)
			return 1
		}
		return 0
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "rewardd: %v\n", err)
		return 1
	}
	if err := serve(ctx, cfg, log, h); err != nil {
		log.Error("stopped", zap.Error(err))
		fmt.Fprintf(stderr, "rewardd: %v\n", err)
		return 1
	}
	return 0
}

// serve runs the daemon until ctx is cancelled. Every check that can fail
// at start does so before anything is written.
func serve(ctx context.Context, cfg config.Config, log *zap.Logger, h hooks) error {
	d, err := start(ctx, cfg, log, h)
	if err != nil {
		return err
	}
	defer d.close()
	return d.run(ctx)
}

// runDev runs the dev system until ctx ends.
func runDev(ctx context.Context, dir, apiListen string, blockEvery time.Duration, stdout io.Writer, log *zap.Logger) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "cmt-rewards-dev-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sys, err := startDev(ctx, dir, apiListen, blockEvery, log.Named("dev"))
	if err != nil {
		return err
	}
	defer sys.chain.Close()
	var daemons []*daemon
	defer func() {
		for _, d := range daemons {
			d.close()
		}
	}()
	for i, cfg := range append([]config.Config{sys.cfg}, sys.peers...) {
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
	go func() { sys.produce(ctx, log.Named("dev")); close(done) }()
	defer func() { cancel(); <-done }()
	sys.printIntro(stdout, daemons[0].APIURL())
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

// dialChecked connects to the node and verifies that it serves the
// configured chain and that the contract exists there.
func dialChecked(ctx context.Context, cfg config.Config) (*rpc.Client, error) {
	cctx, cancel := context.WithTimeout(ctx, cfg.Follower.RPCTimeout.D())
	defer cancel()
	client, err := rpc.DialContext(cctx, cfg.RPCURL)
	if err != nil {
		return nil, fmt.Errorf("rpc_url %s: %w", cfg.RPCURL, err)
	}
	var id hexutil.Uint64
	if err := client.CallContext(cctx, &id, "eth_chainId"); err != nil {
		client.Close()
		return nil, fmt.Errorf("rpc_url %s: node unreachable: %w", cfg.RPCURL, err)
	}
	if uint64(id) != cfg.ChainID {
		client.Close()
		return nil, fmt.Errorf("chain_id: node at %s serves chain %d, configured %d", cfg.RPCURL, id, cfg.ChainID)
	}
	var code hexutil.Bytes
	if err := client.CallContext(cctx, &code, "eth_getCode", cfg.Contract, "latest"); err != nil {
		client.Close()
		return nil, fmt.Errorf("contract: read code at %s: %w", cfg.Contract.Hex(), err)
	}
	if len(code) == 0 {
		client.Close()
		return nil, fmt.Errorf("contract: no contract at %s on chain %d", cfg.Contract.Hex(), cfg.ChainID)
	}
	return client, nil
}

func newLogger(format, level string, w io.Writer) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	var enc zapcore.Encoder
	switch format {
	case "json":
		enc = zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	case "console":
		ec := zap.NewDevelopmentEncoderConfig()
		ec.EncodeTime = zapcore.TimeEncoderOfLayout(time.TimeOnly)
		enc = zapcore.NewConsoleEncoder(ec)
	default:
		return nil, fmt.Errorf("--log-format: %q, expected json or console", format)
	}
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(w), lvl)), nil
}
