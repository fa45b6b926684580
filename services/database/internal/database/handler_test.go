package database

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
)

func TestWireError(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code int // 0: passed through for the dispatcher (-32603)
		msg  string
	}{
		{"not found", fmt.Errorf("load branch x: %w", ErrNotFound), rpc.CodeNotFound, "not found"},
		{"slot taken", fmt.Errorf("create appointment: %w", ErrSlotTaken), rpc.CodeConflict, "slot taken"},
		{"our own reason", fmt.Errorf("cancel: %w", invalid("appointment is %s", "completed")), rpc.CodeValidation, "invalid data: appointment is completed"},
		{"database refused", fmt.Errorf("%w: check constraint", ErrValidation), rpc.CodeValidation, "invalid data"},
		{"unknown", errors.New("connection reset"), 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := WireError(tc.err)
			var rerr *rpc.Error
			if tc.code == 0 {
				require.False(t, errors.As(got, &rerr))
				return
			}
			require.ErrorAs(t, got, &rerr)
			require.Equal(t, tc.code, rerr.Code)
			require.Equal(t, tc.msg, rerr.Message, "wire messages carry no caller data")
		})
	}
	require.NoError(t, WireError(nil))
	require.ErrorIs(t, WireError(context.DeadlineExceeded), context.DeadlineExceeded)

	// PostgreSQL unreachable (here: nothing listens on the port) is a failure of the moment:
	// upstream unavailable, which callers retry or apologise for, not an internal error.
	_, err := pgx.Connect(t.Context(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
	require.Error(t, err)
	var rerr *rpc.Error
	require.ErrorAs(t, WireError(fmt.Errorf("save call: %w", err)), &rerr)
	require.Equal(t, rpc.CodeUpstreamUnavailable, rerr.Code)
	require.Equal(t, "database unavailable", rerr.Message)
	require.ErrorAs(t, WireError(&pgconn.PgError{Code: "57P01"}), &rerr, "admin shutdown")
	require.Equal(t, rpc.CodeUpstreamUnavailable, rerr.Code)
}

// Every method of the contract is registered, documented, and only those.
func TestEveryContractMethodIsRegistered(t *testing.T) {
	redis := testenv.Redis(t)
	srv, err := rpc.NewServer(redis.Client, rpc.ServerConfig{Service: api.Service, Instance: "t",
		Namespace: redis.Prefix + "askpro"}, zerolog.Nop(), nil)
	require.NoError(t, err)
	Register(srv, &Store{})
	doc, err := srv.OpenRPC()
	require.NoError(t, err)
	var got []string
	for _, m := range doc["methods"].([]any) {
		method := m.(map[string]any)
		name := method["name"].(string)
		if strings.HasPrefix(name, "rpc.") {
			continue
		}
		require.NotEmpty(t, method["summary"], name)
		got = append(got, name)
	}
	require.ElementsMatch(t, api.Methods, got)
	require.Len(t, summaries, len(api.Methods))
}
