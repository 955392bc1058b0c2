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
	fs := flag.NewFlagSet("rewardd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "configuration file (JSON)")
	logFormat := fs.String("log-format", "json", "log format: json (production) or console (development)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *cfgPath == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: rewardd --config FILE [--log-format json|console] [--log-level info]")
		return 2
	}
	log, err := newLogger(*logFormat, *logLevel, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "rewardd: %v\n", err)
		return 2
	}
	defer log.Sync()
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "rewardd: %v\n", err)
		return 1
	}
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("stopped", zap.Error(err))
		fmt.Fprintf(stderr, "rewardd: %v\n", err)
		return 1
	}
	return 0
}

// serve runs the daemon until ctx is cancelled. Every check that can fail
// at start does so before anything is written.
func serve(ctx context.Context, cfg config.Config, log *zap.Logger) error {
	d, err := start(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close()
	return d.run(ctx)
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
