// Package logging builds the zerolog logger every service uses, carries a request logger in the
// context, and masks phone numbers and e-mail addresses in everything that is written.
//
// Masking happens in the writer, after zerolog has rendered the line, because a zerolog hook
// cannot see or change fields that were already added. Code should still pass PII through Phone
// and Email when it logs such values on purpose, so the intent is visible in the source.
package logging

import (
	"context"
	"io"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Field names shared across services. Keep log field keys snake_case and constant.
const (
	FieldService   = "service"
	FieldInstance  = "instance"
	FieldMethod    = "method"
	FieldRequestID = "request_id"
	FieldTraceID   = "trace_id"
	FieldTenant    = "tenant"
	FieldCode      = "code"
	FieldTook      = "took"
)

// Config selects the level and format of a logger.
type Config struct {
	Service  string
	Instance string
	Level    string // trace, debug, info, warn, error
	Format   string // json or console
}

// New returns a logger writing masked lines to stderr.
func New(cfg Config) zerolog.Logger {
	return NewWithWriter(cfg, os.Stderr)
}

// NewWithWriter returns a logger writing masked lines to w.
func NewWithWriter(cfg Config, w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(cfg.Level)
	if err != nil || cfg.Level == "" {
		level = zerolog.InfoLevel
	}
	out := w
	if cfg.Format == "console" {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	zerolog.TimeFieldFormat = time.RFC3339Nano
	ctx := zerolog.New(NewMaskingWriter(out)).Level(level).With().Timestamp()
	if cfg.Service != "" {
		ctx = ctx.Str(FieldService, cfg.Service)
	}
	if cfg.Instance != "" {
		ctx = ctx.Str(FieldInstance, cfg.Instance)
	}
	return ctx.Logger()
}

// loggerKey holds the request logger of a context.
type loggerKey struct{}

// ctxLogger is a context's logger, made on first use: most requests never log, and building
// a child logger per request costs an allocation of its field buffer.
type ctxLogger struct {
	once  sync.Once
	build func() zerolog.Logger
	l     zerolog.Logger
}

func (c *ctxLogger) get() *zerolog.Logger {
	c.once.Do(func() {
		if c.build != nil {
			c.l, c.build = c.build(), nil
		}
	})
	return &c.l
}

// WithContext returns ctx carrying l; FromContext gives it back.
func WithContext(ctx context.Context, l zerolog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, &ctxLogger{l: l})
}

// WithLazyContext returns ctx carrying the logger build makes, called at most once and only
// when FromContext asks for it.
func WithLazyContext(ctx context.Context, build func() zerolog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, &ctxLogger{build: build})
}

// FromContext returns the request logger in ctx, or a disabled logger when there is none.
func FromContext(ctx context.Context) *zerolog.Logger {
	if c, ok := ctx.Value(loggerKey{}).(*ctxLogger); ok {
		return c.get()
	}
	return zerolog.Ctx(ctx)
}
