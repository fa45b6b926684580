package main

import (
	"crypto/sha256"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
)

var shownKey = regexp.MustCompile(`shown once, store it now\): (ak_live_[0-9a-f]{64})`)

// revocation checks issue 26's "revocation within a second" on the real system: a key made
// with askpro works, `askpro key revoke` makes the gateway refuse it within a second, and so do
// `tenant deactivate` (every key) and `tenant activate` (they work again).
func (e *e2e) revocation(t *testing.T) {
	conn, err := pgx.Connect(t.Context(), e.dbURL)
	require.NoError(t, err)
	defer conn.Close(t.Context())
	sum := sha256.Sum256([]byte(e.apiKey))
	var company string
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT company_id::text FROM api_keys WHERE digest = $1`, sum[:]).Scan(&company))
	askpro := func(args ...string) string {
		cmd := exec.CommandContext(t.Context(), e.askpro.Path, args...)
		cmd.Env = slices.Clone(e.askpro.Env)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "askpro %v: %s", args, out)
		return string(out)
	}
	status := func(key string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.sys.GatewayURL+"/rpc",
			strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"database.branches.list","params":{}}`))
		require.NoError(t, err)
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	within := func(what, key string, want int) {
		start := time.Now()
		testenv.Eventually(t, time.Second, func() bool { return status(key) == want }, "%s within 1 s", what)
		t.Logf("%s: %d after %s", what, want, time.Since(start))
	}

	m := shownKey.FindStringSubmatch(askpro("key", "create", "--company", company, "--name", "e2e-partner"))
	require.NotNil(t, m)
	key := m[1]
	within("new key admitted", key, http.StatusOK)
	require.Equal(t, http.StatusOK, status(key), "cached now")
	askpro("key", "revoke", "--company", company, "--name", "e2e-partner")
	within("revoked key refused", key, http.StatusUnauthorized)
	require.Equal(t, http.StatusOK, status(e.apiKey), "the tenant's other key")

	askpro("tenant", "deactivate", "--company", company)
	within("deactivated tenant refused", e.apiKey, http.StatusUnauthorized)
	askpro("tenant", "activate", "--company", company)
	within("activated tenant admitted", e.apiKey, http.StatusOK)
}
