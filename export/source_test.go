package export_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/export"
)

// TestFollowerConfigExplicit: every follower setting comes from the
// configuration, none is left zero for the follower to default.
func TestFollowerConfigExplicit(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.Contract = common.HexToAddress("0xe5B22d8240F479f34aBA4913A67964f3Df9dAFCc")
	c.Follower.RetryDelay = config.Duration(time.Second)
	fc := export.FollowerConfig(&c)
	v := reflect.ValueOf(fc)
	for i := 0; i < v.NumField(); i++ {
		switch v.Field(i).Kind() {
		case reflect.Interface, reflect.Func:
			continue // a dependency (a clock), not a setting
		}
		if v.Field(i).IsZero() {
			t.Errorf("follower.Config.%s is zero: the follower would default it", v.Type().Field(i).Name)
		}
	}
	if fc.RetryDelay != time.Second || fc.Attempts != c.Follower.Attempts || fc.LogSpan != c.Follower.LogSpan {
		t.Errorf("follower config %+v", fc)
	}
}

// TestParamsFromSigners: a signers map that is not one-to-one is refused
// with config's error, naming signers.
func TestParamsFromSigners(t *testing.T) {
	t.Parallel()
	c := config.Default()
	a, b, v := common.HexToAddress("0xa"), common.HexToAddress("0xb"), common.HexToAddress("0xc")
	c.Signers = config.Signers{a: v, b: v}
	if _, err := export.ParamsFrom(&c); err == nil || !strings.Contains(err.Error(), "signers: ") {
		t.Fatalf("error %v", err)
	}
	c.Signers = config.Signers{a: v}
	p, err := export.ParamsFrom(&c)
	if err != nil || p.Standing.Window != c.Standing.Window || p.Standing.SignerToValidator[a] != v {
		t.Fatalf("params %+v, %v", p, err)
	}
}
