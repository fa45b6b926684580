package rpc

import (
	"context"
	"reflect"
	"sort"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// Built-in methods every server answers.
const (
	MethodDiscover = "rpc.discover" // the OpenRPC 1.3 document of the service
	MethodPing     = "rpc.ping"     // "pong"
	MethodInfo     = "rpc.info"     // Info
)

// Info is the result of rpc.info.
type Info struct {
	Name     string                 `json:"name"`
	Version  string                 `json:"version"`
	Instance string                 `json:"instance"`
	Uptime   float64                `json:"uptime_seconds"`
	Methods  map[string]MethodStats `json:"methods"`
}

// MethodStats counts one method's requests on this instance since it started.
type MethodStats struct {
	Requests int64            `json:"requests"`
	Errors   int64            `json:"errors"`
	ByCode   map[string]int64 `json:"by_code,omitempty"`
}

func registerBuiltins(s *Server) {
	builtin := func(name string, result reflect.Type, summary string, f func(context.Context) (any, error)) {
		m := newMethod(name, nil, result, func(ctx context.Context, _ msgpack.RawMessage) (any, error) { return f(ctx) })
		m.summary = summary
		s.bindMethod(m)
	}
	builtin(MethodPing, reflect.TypeFor[string](), "Answers \"pong\".", func(context.Context) (any, error) { return "pong", nil })
	builtin(MethodInfo, reflect.TypeFor[Info](), "Name, version, instance, uptime and per-method counts.",
		func(context.Context) (any, error) { return s.Info(), nil })
	builtin(MethodDiscover, nil, "The OpenRPC 1.3 document of this service.",
		func(context.Context) (any, error) { return s.OpenRPC() })
}

// Info returns what rpc.info answers.
func (s *Server) Info() Info {
	info := Info{
		Name: s.cfg.Service, Version: s.cfg.Version, Instance: s.cfg.Instance,
		Uptime: time.Since(s.started).Seconds(), Methods: map[string]MethodStats{},
	}
	names := make([]string, 0, len(s.methods))
	for n := range s.methods {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		info.Methods[n] = s.methods[n].info()
	}
	return info
}

func (m *method) info() MethodStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	mi := MethodStats{ByCode: map[string]int64{}}
	for code, n := range m.counts {
		mi.Requests += n
		if code != 0 {
			mi.Errors += n
		}
		mi.ByCode[codeLabel(code)] = n
	}
	return mi
}
