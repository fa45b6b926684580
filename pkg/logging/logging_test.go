package logging_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/logging"
)

func TestMaskBytes(t *testing.T) {
	cases := []struct {
		name, in, mustNotContain, mustContain string
	}{
		{"e164", `{"from":"+4930123456789"}`, "30123456789", `"+49*********89"`},
		{"spaced international", `caller +49 30 1234 5678 rang`, "1234 5678", "+49"},
		{"double zero prefix", `0049 30 12345678`, "12345678", "78"},
		{"national with parens", `(030) 123 456-78`, "123 456", "78"},
		{"national plain", `to=030 12345678`, "12345678", "to="},
		{"mobile", `Handy 0171 2345678`, "2345678", "Handy"},
		{"email", `{"email":"max.mustermann@example.de"}`, "mustermann", `m***@example.de`},
		{"timestamp untouched", `{"time":"2026-11-24T23:32:13Z"}`, "***", `2026-11-24T23:32:13Z`},
		{"small numbers untouched", `{"count":12,"took":0.25}`, "***", `"count":12`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(logging.MaskBytes([]byte(tc.in)))
			require.NotContains(t, got, tc.mustNotContain)
			require.Contains(t, got, tc.mustContain)
		})
	}
}

func TestLoggerMasksFieldsAndMessages(t *testing.T) {
	var buf bytes.Buffer
	l := logging.NewWithWriter(logging.Config{Service: "call", Level: "debug"}, &buf)
	l.Info().Str("from_number", "+491701234567").Str("note", "mail anna@beispiel.de").Msg("call_saved")
	out := buf.String()
	require.NotContains(t, out, "1701234567")
	require.NotContains(t, out, "anna@")
	require.Contains(t, out, `"service":"call"`)
	require.Contains(t, out, `"message":"call_saved"`)
}

func TestRequestLoggerInContext(t *testing.T) {
	var buf bytes.Buffer
	l := logging.NewWithWriter(logging.Config{Level: "info"}, &buf).With().Str(logging.FieldRequestID, "r-1").Logger()
	ctx := logging.WithContext(context.Background(), l)
	logging.FromContext(ctx).Info().Msg("inside")
	require.True(t, strings.Contains(buf.String(), `"request_id":"r-1"`))

	// A context without a logger yields a disabled logger rather than a nil pointer.
	logging.FromContext(context.Background()).Info().Msg("dropped")
}

func TestPhoneAndEmailHelpers(t *testing.T) {
	require.Equal(t, "+49******56", logging.Phone("+4930123456"))
	require.Equal(t, "***12", logging.Phone("11112"))
	require.Equal(t, "m***@example.de", logging.Email("max@example.de"))
	require.Equal(t, "***", logging.Email("nonsense"))
}

func TestLazyRequestLoggerIsBuiltOnceAndOnlyWhenUsed(t *testing.T) {
	var buf bytes.Buffer
	base := logging.NewWithWriter(logging.Config{Level: "info"}, &buf)
	builds := 0
	ctx := logging.WithLazyContext(context.Background(), func() zerolog.Logger {
		builds++
		return base.With().Str(logging.FieldMethod, "m").Logger()
	})
	require.Zero(t, builds, "not built before anyone logs")
	logging.FromContext(ctx).Info().Msg("one")
	logging.FromContext(ctx).Info().Msg("two")
	require.Equal(t, 1, builds)
	require.Equal(t, 2, strings.Count(buf.String(), `"method":"m"`))

	// A logger put in a derived context wins over the lazy one.
	inner := logging.WithContext(ctx, base.With().Str(logging.FieldMethod, "inner").Logger())
	logging.FromContext(inner).Info().Msg("three")
	require.Contains(t, buf.String(), `"method":"inner"`)
}
