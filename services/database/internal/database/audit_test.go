package database

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

// An audit row's actor, address and user agent are the request's identity, and a request
// without one is the system's. What could not be stored is left out, and never fails the
// change it records.
func TestAuditRowsCarryTheRequestIdentity(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon Audit")
	tests := []struct {
		name     string
		ctx      context.Context
		actor    string
		ip, ua   *string
		entityID string
	}{
		{"api key over /rpc", rpc.WithIdentity(t.Context(), rpc.Identity{Actor: "api:0123456789abcdef", IP: "203.0.113.7", UserAgent: "curl/8.5.0"}),
			"api:0123456789abcdef", ptr("203.0.113.7"), ptr("curl/8.5.0"), "e1"},
		{"IPv6 and an IPv4-mapped address", rpc.WithIdentity(t.Context(), rpc.Identity{Actor: "api:x", IP: "::ffff:198.51.100.9"}),
			"api:x", ptr("198.51.100.9"), nil, "e2"},
		{"voice path", rpc.WithIdentity(t.Context(), rpc.Identity{Actor: "retell:call_abc"}), "retell:call_abc", nil, nil, "e3"},
		{"no identity", t.Context(), "system", nil, nil, "e4"},
		{"a bad address is left out", rpc.WithIdentity(t.Context(), rpc.Identity{Actor: "api:y", IP: "not-an-ip", UserAgent: "a\x00b\xffc"}),
			"api:y", nil, ptr("abc"), "e5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, e.store.AppendAudit(tt.ctx, api.AuditAppendParams{CompanyID: tn.company.ID,
				Action: "slot.locked", Entity: "staff", EntityID: tt.entityID}))
			var actor string
			var ip, ua *string
			require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT actor, host(ip), user_agent FROM audit_log
WHERE company_id = $1 AND entity_id = $2`, tn.company.ID, tt.entityID).Scan(&actor, &ip, &ua))
			assert.Equal(t, tt.actor, actor)
			assert.Equal(t, tt.ip, ip)
			assert.Equal(t, tt.ua, ua)
		})
	}
}

// The changes the store makes itself (here a cancel) are recorded the same way.
func TestCancelIsAuditedByTheRequestIdentity(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon Storno")
	ap, err := e.store.CreateAppointment(t.Context(), booking(tn, tn.staff, 0, 30))
	require.NoError(t, err)
	ctx := rpc.WithIdentity(t.Context(), rpc.Identity{Actor: "api:feedfacecafebeef", IP: "2001:db8::1", UserAgent: "partner-crm/2.1"})
	_, err = e.store.CancelAppointment(ctx, api.CancelAppointmentParams{CompanyID: tn.company.ID, AppointmentID: ap.ID})
	require.NoError(t, err)
	var actor, ip, ua string
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT actor, host(ip), user_agent FROM audit_log
WHERE company_id = $1 AND action = 'appointment.cancelled' AND entity_id = $2`, tn.company.ID, ap.ID).Scan(&actor, &ip, &ua))
	assert.Equal(t, []string{"api:feedfacecafebeef", "2001:db8::1", "partner-crm/2.1"}, []string{actor, ip, ua})
	var created string
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT actor FROM audit_log
WHERE action = 'appointment.created' AND entity_id = $1`, ap.ID).Scan(&created))
	assert.Equal(t, "system", created, "created without an identity")
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Mozilla/5.0", "Mozilla/5.0"},
		{"NUL and invalid UTF-8 dropped", "a\x00b\xffc", "abc"},
		{"cut without splitting a rune", strings.Repeat("a", 255) + "ü", strings.Repeat("a", 255)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cleanText(tt.in, 256))
		})
	}
}

func ptr(s string) *string { return &s }
