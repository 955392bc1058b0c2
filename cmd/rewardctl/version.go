package main

import (
	"context"
	"fmt"

	"github.com/cmt-rewards/cmt-rewards/internal/version"
)

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "", commonExits)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	info, _ := version.Get() // without build information it says "unknown build"
	_, err := fmt.Fprintf(e.stdout, "rewardctl %s\n", info)
	return err
}
