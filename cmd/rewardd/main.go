// Command rewardd is the CMT rewards settlement daemon: it follows the
// chain into its ledger, settles every epoch and votes its root into the
// validator contract, and serves a read-only API.
//
// Settings come from the configuration file (--config), overridden by
// environment variables and flags, flag over variable over file over
// default: every scalar setting "section.field" of the file is also
// REWARDD_SECTION_FIELD and --section.field-name (rpc_url is
// REWARDD_RPC_URL and --rpc-url; see --help).
//
// Exit status: 0 after a clean stop (SIGINT, SIGTERM), 1 when rewardd
// cannot start or stops on an error, 64 for bad usage (as rewardctl). An error that ends
// rewardd is printed once, to stderr, as "rewardd: <error>"; what happens
// while it runs goes to the log (stderr too).
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

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/internal/version"
)

// exitUsage is the exit status for bad usage (sysexits' EX_USAGE), the same
// as rewardctl's.
const exitUsage = 64

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	return runWith(ctx, args, os.Stdout, stderr, hooks{})
}

// ownEnv are rewardd's variables besides the settings'.
var ownEnv = []string{"REWARDD_CONFIG", "REWARDD_LOG_FORMAT", "REWARDD_LOG_LEVEL"}

// options are rewardd's own flags, besides the settings'.
type options struct {
	cfgPath, devDir, devAPI, logFormat, logLevel string
	dev, version                                 bool
}

func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, h hooks) int {
	env := h.env
	if env == nil {
		env = os.LookupEnv
	}
	fs := flag.NewFlagSet("rewardd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	str := func(p *string, name, envName, def, help string) {
		if v, ok := env(envName); ok {
			def = v
		}
		fs.StringVar(p, name, def, fmt.Sprintf("%s (env %s)", help, envName))
	}
	str(&o.cfgPath, "config", "REWARDD_CONFIG", "", "configuration file (JSON)")
	fs.BoolVar(&o.dev, "dev", false, "run a complete local system: an embedded chain with the contract, validators, delegators and short epochs; ignores REWARDD_* settings")
	fs.StringVar(&o.devDir, "dev-dir", "", "with --dev: directory of the dev system; started again with the same directory it resumes (default: a new temporary directory)")
	fs.StringVar(&o.devAPI, "dev-api", "127.0.0.1:8480", "with --dev: API listen address")
	str(&o.logFormat, "log-format", "REWARDD_LOG_FORMAT", "", "log format: json (default) or console (--dev default)")
	str(&o.logLevel, "log-level", "REWARDD_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	settings := config.RegisterFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: rewardd --config FILE [--SETTING VALUE ...] | --dev [--dev-dir DIR] [--dev-api ADDR] | --version

Every setting of the configuration file is also an environment variable and
a flag: flag over variable over file over default.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if o.version {
		info, _ := version.Get() // without build information it says "unknown build"
		fmt.Fprintf(stdout, "rewardd %s\n", info)
		return 0
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "rewardd: "+format+"\n", a...)
		fmt.Fprintln(stderr, "usage: rewardd --config FILE | --dev [--dev-dir DIR] | --version (see --help)")
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usage("unexpected arguments %q", fs.Args())
	case o.dev && o.cfgPath != "":
		return usage("--dev and --config exclude each other")
	case o.dev && len(settings.Given()) > 0:
		return usage("%s: the dev system makes its own configuration; settings flags need --config", settings.Given()[0])
	case !o.dev && o.cfgPath == "":
		return usage("--config or --dev is required")
	}
	if o.logFormat == "" {
		o.logFormat = "json"
		if o.dev {
			o.logFormat = "console"
		}
	}
	log, err := newLogger(o.logFormat, o.logLevel, stderr)
	if err != nil {
		return usage("%v", err)
	}
	defer log.Sync()
	if err := serve(ctx, o, settings, env, log, stdout, h); err != nil {
		fmt.Fprintf(stderr, "rewardd: %v\n", err)
		return 1
	}
	return 0
}

// serve runs the dev system or the daemon until ctx is cancelled.
func serve(ctx context.Context, o options, settings *config.Flags, env func(string) (string, bool), log *zap.Logger, stdout io.Writer, h hooks) error {
	if o.dev {
		every := h.devBlock
		if every == 0 {
			every = devBlockEvery
		}
		return runDev(ctx, o.devDir, o.devAPI, every, stdout, log)
	}
	cfg, err := config.LoadWith(o.cfgPath, env, settings)
	if err != nil {
		return err
	}
	if h.env == nil {
		for _, name := range config.UnknownEnv(os.Environ(), ownEnv...) {
			log.Warn("environment variable names no setting; ignored", zap.String("name", name))
		}
	}
	d, err := start(ctx, cfg, log, h)
	if err != nil {
		return err
	}
	defer d.close()
	return d.run(ctx)
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
