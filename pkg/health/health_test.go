package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/health"
	"github.com/askproai/backend/pkg/testenv"
)

func TestReadyReportsFailingChecks(t *testing.T) {
	c := health.NewChecker(50 * time.Millisecond)
	c.Add("redis", func(context.Context) error { return nil })
	c.Add("postgres", func(context.Context) error { return errors.New("connection refused") })
	c.Add("slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	mux := http.NewServeMux()
	health.Register(mux, c, nil)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ready", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	var rep health.Report
	require.NoError(t, json.NewDecoder(rec.Body).Decode(&rep))
	require.Equal(t, "ok", rep.Checks["redis"])
	require.Equal(t, "connection refused", rep.Checks["postgres"])
	require.Contains(t, rep.Checks["slow"], "deadline")

	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	require.Equal(t, http.StatusOK, rec.Code)
}

func TestReadyAgainstRealDependencies(t *testing.T) {
	rdb := testenv.Redis(t)
	pool := testenv.Postgres(t)
	c := health.NewChecker(time.Second)
	c.Add("redis", func(ctx context.Context) error { return rdb.Client.Ping(ctx).Err() })
	c.Add("postgres", pool.Ping)
	rep, ok := c.Check(t.Context())
	require.True(t, ok, "%v", rep)
	require.Equal(t, "ok", rep.Status)
}
