package chaos

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/loadsim"
)

// Two booking instances share the load; one is killed with SIGKILL mid-run. What it had taken
// from the streams and not acknowledged is claimed by the other (after RPC_CLAIM_MIN_IDLE, 5 s):
// nothing is lost, nothing is booked twice, and every caller gets the real answer within the
// function deadline.
func TestKillBookingInstanceDuringLoad(t *testing.T) {
	needChaos(t)
	rdb := testenv.Redis(t)
	ns := rdb.Prefix + "askpro"
	sys := system(t, loadsim.Options{RedisURL: rdb.URL, DatabaseURL: testenv.PostgresURL(t), Namespace: ns, LiftCalcomRateLimit: true})
	_, err := sys.StartService(t.Context(), "booking", "booking-1")
	require.NoError(t, err)

	r := runner(sys, 40, 20*time.Second)
	done := runAsync(t.Context(), r)
	after(t.Context(), 6*time.Second)
	// Kill it while it holds work: an entry delivered to booking-0 and not yet acknowledged.
	c := checker(t, sys, rdb.URL, ns)
	testenv.Eventually(t, 30*time.Second, func() bool { return holds(t, c, ns, "booking-0") },
		"booking-0 never held a pending entry")
	sys.Process("booking-0").Kill()
	t.Log("booking-0 killed (SIGKILL) under load, holding pending work")
	<-done

	answeredInTime(t, r)
	settleAndCheck(t, c, r, 60*time.Second)
	// Nothing the dead instance held stays pending in any booking stream.
	for _, lane := range rpc.Lanes {
		stream := rpc.RequestStream(ns, "booking", lane)
		p, err := c.Redis.XPending(t.Context(), stream, "booking").Result()
		if err == nil {
			require.Zero(t, p.Count, "pending entries left in %s", stream)
		}
	}
	claims := metricSum(t, sys, "booking-1", "askpro_rpc_claims_total")
	require.Positive(t, claims, "booking-1 claimed the dead instance's pending entries")
	// The claimed requests were answered by booking-1 in time, with what they did: no caller
	// heard "unavailable" for work that was then done (non-idempotent ones included, whose
	// in-progress markers booking-1 took over).
	for ep, problems := range r.Stats.Problems() {
		require.Zero(t, problems["answer unavailable"], "%s: a caller heard an apology", ep)
	}
	t.Logf("load: %d calls; booking-1 claimed %.0f entries of booking-0; failed answers: %v", len(r.CallIDs()), claims, r.Stats.Problems())
}

// holds reports whether consumer has delivered, unacknowledged entries in a booking stream.
func holds(t *testing.T, c *loadsim.Checker, ns, consumer string) bool {
	for _, lane := range rpc.Lanes {
		p, err := c.Redis.XPending(t.Context(), rpc.RequestStream(ns, "booking", lane), "booking").Result()
		if err == nil && p.Consumers[consumer] > 0 {
			return true
		}
	}
	return false
}
