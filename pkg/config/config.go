// Package config reads environment variables into typed values and reports every problem at
// once, so that an operator fixes a broken deployment in one round instead of one variable at a
// time.
//
// A service's config.go creates a Reader over its lookup function, reads every variable it
// needs, and returns Reader.Err: nil, or all problems joined.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// LookupFunc is the shape of os.LookupEnv. Services take it as a parameter of run so that tests
// pass their own environment.
type LookupFunc func(key string) (string, bool)

// OSLookup is os.LookupEnv; main passes it to run.
var OSLookup LookupFunc = os.LookupEnv

// Reader reads typed values and collects the errors of all of them.
type Reader struct {
	lookup LookupFunc
	errs   []error
}

// New returns a Reader over lookup.
func New(lookup LookupFunc) *Reader {
	return &Reader{lookup: lookup}
}

// Err returns nil when every read succeeded, or all problems joined, in the order they were found.
func (r *Reader) Err() error {
	return errors.Join(r.errs...)
}

// Fail records a problem found by the caller's own validation, so it is reported with the rest.
func (r *Reader) Fail(key, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (r *Reader) raw(key string) (string, bool) {
	v, ok := r.lookup(key)
	if !ok {
		return "", false
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}

// String returns the value of key, or def when it is unset or empty.
func (r *Reader) String(key, def string) string {
	if v, ok := r.raw(key); ok {
		return v
	}
	return def
}

// Required returns the value of key and records an error when it is unset or empty.
func (r *Reader) Required(key string) string {
	v, ok := r.raw(key)
	if !ok {
		r.Fail(key, "required but not set")
	}
	return v
}

// Int returns key as an integer, or def when unset.
func (r *Reader) Int(key string, def int) int {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.Fail(key, "%q is not an integer", v)
		return def
	}
	return n
}

// IntRange is Int with an inclusive range check.
func (r *Reader) IntRange(key string, def, lo, hi int) int {
	n := r.Int(key, def)
	if n < lo || n > hi {
		r.Fail(key, "%d is outside %d..%d", n, lo, hi)
		return def
	}
	return n
}

// Float returns key as a float, or def when unset.
func (r *Reader) Float(key string, def float64) float64 {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.Fail(key, "%q is not a number", v)
		return def
	}
	return f
}

// Bool returns key as a boolean (1/0, true/false, yes/no, on/off), or def when unset.
func (r *Reader) Bool(key string, def bool) bool {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	r.Fail(key, "%q is not a boolean", v)
	return def
}

// Duration returns key as a Go duration ("250ms", "30s"), or def when unset. Negative values are
// an error.
func (r *Reader) Duration(key string, def time.Duration) time.Duration {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.Fail(key, "%q is not a non-negative duration", v)
		return def
	}
	return d
}

// URL returns key (or def) after checking that it is an absolute URL with one of schemes.
// An empty def with the key unset returns "" without error.
func (r *Reader) URL(key, def string, schemes ...string) string {
	v := r.String(key, def)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		r.Fail(key, "not an absolute URL")
		return v
	}
	if len(schemes) > 0 && !contains(schemes, u.Scheme) {
		r.Fail(key, "scheme %q is not one of %s", u.Scheme, strings.Join(schemes, ", "))
	}
	return v
}

// List returns key split at commas, with blanks dropped, or def when unset.
func (r *Reader) List(key string, def []string) []string {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// OneOf returns key (or def) and records an error when it is not one of allowed.
func (r *Reader) OneOf(key, def string, allowed ...string) string {
	v := r.String(key, def)
	if !contains(allowed, v) {
		r.Fail(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
		return def
	}
	return v
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
