package config

import (
	"encoding"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/shopspring/decimal"
)

// EnvPrefix starts every environment variable of a setting.
const EnvPrefix = "REWARDD_"

// Setting is one scalar field of Config, settable by the file, an
// environment variable and a flag; precedence flag > environment > file >
// default. Names follow the file: "submit.keystore_file" is
// REWARDD_SUBMIT_KEYSTORE_FILE and --submit.keystore-file, a top-level
// "rpc_url" is REWARDD_RPC_URL and --rpc-url.
type Setting struct {
	Path     string // dotted JSON path: "submit.keystore_file"
	Env      string // REWARDD_SUBMIT_KEYSTORE_FILE
	Flag     string // submit.keystore-file
	Help     string
	Kind     string // what the text is: string, uint, int, duration, time, address or decimal
	Default  string // the default as text; "" when Required
	Required bool   // no default: the file, a variable or a flag must set it

	index []int // reflect field index path within Config
}

// Settings lists every scalar setting in the order of the file.
func Settings() []Setting {
	var out []Setting
	d := reflect.ValueOf(Default())
	var walk func(t reflect.Type, index []int, prefix string)
	walk = func(t reflect.Type, index []int, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int(nil), index...), i)
			name := jsonName(f)
			if k := f.Type.Kind(); k == reflect.Map || k == reflect.Slice {
				continue // signers, api.cors_origins: not scalars, file only
			}
			if !isLeaf(f.Type) {
				walk(f.Type, idx, prefix+name+".")
				continue
			}
			path := prefix + name
			s := Setting{
				Path:     path,
				Env:      EnvPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_")),
				Flag:     strings.ReplaceAll(path, "_", "-"),
				Help:     f.Tag.Get("help"),
				Kind:     kindOf(f.Type),
				Required: f.Tag.Get("required") == "true",
				index:    idx,
			}
			if !s.Required {
				s.Default = format(d.FieldByIndex(idx))
			}
			out = append(out, s)
		}
	}
	walk(d.Type(), nil, "")
	return out
}

// kindOf names what a setting's text is, for --help.
func kindOf(t reflect.Type) string {
	switch t {
	case reflect.TypeOf(Duration(0)):
		return "duration"
	case reflect.TypeOf(time.Time{}):
		return "time"
	case reflect.TypeOf(common.Address{}):
		return "address"
	case reflect.TypeOf(decimal.Decimal{}):
		return "decimal"
	}
	switch t.Kind() {
	case reflect.Uint64:
		return "uint"
	case reflect.Int:
		return "int"
	}
	return "string"
}

// format writes a setting's value as a variable or flag would give it.
func format(v reflect.Value) string {
	if m, ok := v.Interface().(encoding.TextMarshaler); ok {
		b, err := m.MarshalText()
		if err != nil {
			return fmt.Sprint(v.Interface())
		}
		return string(b)
	}
	return fmt.Sprint(v.Interface())
}

// set parses text into the setting's field of c.
func (s Setting) set(c *Config, text string) error {
	v := reflect.ValueOf(c).Elem().FieldByIndex(s.index)
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := u.UnmarshalText([]byte(text)); err != nil {
			return fmt.Errorf("%q: %v", text, err)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Uint64:
		n, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			return fmt.Errorf("%q: expected a whole number from 0 to 2^64-1", text)
		}
		v.SetUint(n)
	case reflect.Int:
		n, err := strconv.ParseInt(text, 10, 0)
		if err != nil {
			return fmt.Errorf("%q: expected a whole number", text)
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("setting of kind %s cannot be given as text", v.Kind())
	}
	return nil
}

// Flags are the settings' command-line flags, registered on a FlagSet by
// RegisterFlags; after the FlagSet is parsed they hold the values given.
type Flags struct {
	values map[string]*flagValue // by Setting.Path
}

// flagValue is one setting's flag. Set checks the value by parsing it into
// a scratch Config, so a bad flag fails in FlagSet.Parse, naming the flag.
type flagValue struct {
	s    Setting
	text string
	set  bool
}

func (f *flagValue) String() string {
	if f == nil {
		return ""
	}
	return f.text
}

func (f *flagValue) Set(text string) error {
	scratch := Default()
	if err := f.s.set(&scratch, text); err != nil {
		return err
	}
	f.text, f.set = text, true
	return nil
}

// RegisterFlags adds one flag per setting to fs. Each flag's help names
// its environment variable and its default.
func RegisterFlags(fs *flag.FlagSet) *Flags {
	fl := &Flags{values: map[string]*flagValue{}}
	for _, s := range Settings() {
		v := &flagValue{s: s}
		fl.values[s.Path] = v
		def := "default " + strconv.Quote(s.Default)
		if s.Required {
			def = "required, no default"
		}
		// The back-quoted kind is what flag.PrintDefaults shows as the
		// value's name: "-follower.poll-interval duration".
		fs.Var(v, s.Flag, fmt.Sprintf("%s (`%s`; env %s; %s)", s.Help, s.Kind, s.Env, def))
	}
	return fl
}

// Given returns the flags that were set, as "--name".
func (fl *Flags) Given() []string {
	var out []string
	for _, s := range Settings() {
		if v := fl.values[s.Path]; v != nil && v.set {
			out = append(out, "--"+s.Flag)
		}
	}
	return out
}

// LoadWith reads the configuration file at path over Default, then the
// environment variables (looked up with env; nil: none), then the flags
// (nil: none), and checks the result. An environment variable that does
// not parse is an error naming the variable; a Check error of a field set
// by a variable or a flag names that source too.
func LoadWith(path string, env func(string) (string, bool), flags *Flags) (Config, error) {
	c := Default()
	f, err := os.Open(path)
	if err != nil {
		return c, fmt.Errorf("read configuration: %w", err)
	}
	err = c.decode(f)
	f.Close()
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	source := map[string]string{}
	var errs problems
	for _, s := range Settings() {
		if env != nil {
			if text, ok := env(s.Env); ok {
				if err := s.set(&c, text); err != nil {
					errs = append(errs, &FieldError{Field: s.Path, Source: s.Env, Problem: err.Error()})
				}
				source[s.Path] = s.Env
			}
		}
		if flags != nil {
			if v := flags.values[s.Path]; v != nil && v.set {
				if err := s.set(&c, v.text); err != nil {
					errs = append(errs, &FieldError{Field: s.Path, Source: "--" + s.Flag, Problem: err.Error()})
				}
				source[s.Path] = "--" + s.Flag
			}
		}
	}
	if len(errs) > 0 {
		return c, errs.err()
	}
	err = c.Check()
	for _, e := range unjoin(err) {
		var fe *FieldError
		if errors.As(e, &fe) {
			fe.Source = source[fe.Field]
		}
	}
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// UnknownEnv returns the names of the variables in environ ("NAME=value"
// entries, as os.Environ gives them) that start with EnvPrefix but name no
// setting and are not in also: a misspelt variable is otherwise silently
// without effect.
func UnknownEnv(environ []string, also ...string) []string {
	known := map[string]bool{}
	for _, s := range Settings() {
		known[s.Env] = true
	}
	for _, a := range also {
		known[a] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, EnvPrefix) && !known[name] {
			out = append(out, name)
		}
	}
	return out
}
