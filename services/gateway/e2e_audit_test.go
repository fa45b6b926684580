package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/clock"
)

// auditRow is one audit_log row as the trail tests read it.
type auditRow struct {
	actor     string
	ip, agent *string
}

// auditTrail checks who the audit log names for the voice path, for /rpc and for the CLI
// (issues 21 and 26), on the real system. call and number are the last scenario's call and
// booking; the clock goes back to that scenario, when the booking was still ahead.
func (e *e2e) auditTrail(t *testing.T, call map[string]any, number string, at time.Time) {
	require.NoError(t, clock.Set(e.clockFile, at))
	conn, err := pgx.Connect(t.Context(), e.dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var apptID string
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT id::text FROM appointments WHERE confirmation_number = $1`, number).Scan(&apptID))
	row := func(action, entityID string) auditRow {
		t.Helper()
		var r auditRow
		require.NoError(t, conn.QueryRow(t.Context(), `SELECT actor, host(ip), user_agent FROM audit_log
WHERE action = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 1`, action, entityID).Scan(&r.actor, &r.ip, &r.agent), action)
		return r
	}

	// The voice path: booked during the call, as the call, from Retell's connection.
	callID := call["call_id"].(string)
	created := row("appointment.created", apptID)
	require.Equal(t, "retell:"+callID, created.actor)
	require.NotNil(t, created.ip)
	require.True(t, netip.MustParseAddr(*created.ip).IsLoopback(), "the test's connection: %s", *created.ip)
	var callActors []string
	rows, err := conn.Query(t.Context(), `SELECT DISTINCT a.actor FROM audit_log a JOIN calls c ON a.entity_id = c.id::text
WHERE a.action = 'call.saved' AND c.retell_call_id = $1`, callID)
	require.NoError(t, err)
	callActors, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Contains(t, callActors, "retell:"+callID, "the webhooks' saves are the call's")

	// A body naming an actor is refused, and nothing is cancelled.
	res := e.rpcAs(t, fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"booking.cancel","params":{"confirmation_number":%q,"actor":"askpro-cli"}}`, number), nil)
	require.NotNil(t, res.Error)
	require.Equal(t, -32602, res.Error.Code)
	var status string
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT status FROM appointments WHERE id = $1`, apptID).Scan(&status))
	require.Equal(t, "scheduled", status, "nothing executed")

	// A cancel over /rpc is the key's, from the connection's address: the client's own
	// X-Forwarded-For proves nothing while no proxy is trusted.
	res = e.rpcAs(t, fmt.Sprintf(`{"jsonrpc":"2.0","id":2,"method":"booking.cancel","params":{"confirmation_number":%q}}`, number),
		map[string]string{"User-Agent": "partner-crm/2.1", "X-Forwarded-For": "198.51.100.23"})
	require.Nil(t, res.Error, "%+v", res.Error)
	cancelled := row("appointment.cancelled", apptID)
	var keyID string
	sum := sha256.Sum256([]byte(e.apiKey))
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT id::text FROM api_keys WHERE digest = $1`, sum[:]).Scan(&keyID))
	require.Equal(t, "api:"+keyID, cancelled.actor, "the key's id (api_keys.id)")
	require.NotNil(t, cancelled.ip)
	require.True(t, netip.MustParseAddr(*cancelled.ip).IsLoopback(), "spoofed X-Forwarded-For ignored: %s", *cancelled.ip)
	require.Equal(t, "partner-crm/2.1", *cancelled.agent)

	// The CLI acts as cli:<ASKPRO_ACTOR>.
	create := exec.CommandContext(t.Context(), e.askpro.Path, "tenant", "create", "--name", "Praxis Audit", "--time-zone", "Europe/Berlin")
	create.Env = append(slices.Clone(e.askpro.Env), "ASKPRO_ACTOR=e2e-operator")
	out, err := create.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var actor string
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT a.actor FROM audit_log a JOIN companies c ON c.id = a.company_id
WHERE c.name = 'Praxis Audit' AND a.action = 'company.created'`).Scan(&actor))
	require.Equal(t, "cli:e2e-operator", actor)
}

type rpcAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// rpcAs posts body to /rpc with the tenant's key and extra headers.
func (e *e2e) rpcAs(t *testing.T, body string, headers map[string]string) rpcAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.sys.GatewayURL+"/rpc", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", e.apiKey)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var a rpcAnswer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	return a
}
