package chaos

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/stack"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/gateway/internal/loadsim"
)

// privatePostgres is a PostgreSQL cluster of its own in a temporary directory (initdb), run as
// the postgres user when the test runs as root, the way scripts/services.sh does.
type privatePostgres struct {
	bin, dir, port string
}

func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		t.Skip("pg_ctl and initdb are not installed: the PostgreSQL outage test needs a private cluster")
	}
	addr, err := stack.FreeAddr()
	require.NoError(t, err)
	p := &privatePostgres{bin: bin, dir: privateDir(t, "askpro-chaos-pg-"), port: addr[strings.LastIndexByte(addr, ':')+1:]}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		require.NoError(t, err, "running as root needs a postgres user (scripts/services.sh creates it)")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		require.NoError(t, os.Chown(p.dir, uid, gid))
	}
	p.run(t, "initdb", "-D", p.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
	p.start(t)
	t.Cleanup(func() { _ = p.command("pg_ctl", "-D", p.data(), "-m", "immediate", "-w", "stop").Run() })
	return p
}

func pgBinDir() string {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func (p *privatePostgres) data() string { return filepath.Join(p.dir, "data") }

func (p *privatePostgres) url() string {
	return "postgres://postgres@127.0.0.1:" + p.port + "/postgres?sslmode=disable"
}

func (p *privatePostgres) command(tool string, args ...string) *exec.Cmd {
	path := filepath.Join(p.bin, tool)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (p *privatePostgres) run(t *testing.T, tool string, args ...string) {
	t.Helper()
	out, err := p.command(tool, args...).CombinedOutput()
	require.NoError(t, err, "%s: %s", tool, out)
}

func (p *privatePostgres) start(t *testing.T) {
	t.Helper()
	p.run(t, "pg_ctl", "-D", p.data(), "-l", filepath.Join(p.dir, "postgres.log"), "-w", "-t", "60", "-o",
		fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off", p.port, p.dir),
		"start")
}

func (p *privatePostgres) stop(t *testing.T) {
	t.Helper()
	p.run(t, "pg_ctl", "-D", p.data(), "-m", "fast", "-w", "stop")
}

// PostgreSQL is stopped for 10 s. Meanwhile webhooks are still accepted (204: they only need
// the Redis inbox) and function calls answer in time with something the agent can say; once
// PostgreSQL is back, the webhooks of the outage are processed and every call is stored once.
func TestPostgresOutageTenSeconds(t *testing.T) {
	needChaos(t)
	pg := startPrivatePostgres(t)
	dbURL, _, err := loadsim.CreateDatabase(t.Context(), pg.url(), "askpro_chaos")
	require.NoError(t, err)
	rdb := testenv.Redis(t)
	ns := rdb.Prefix + "askpro"
	sys := system(t, loadsim.Options{RedisURL: rdb.URL, DatabaseURL: dbURL, Namespace: ns, LiftCalcomRateLimit: true})

	warm := runner(sys, 10, 5*time.Second)
	warm.Run(t.Context())
	require.Zero(t, warm.Stats.Errors(), "before the outage: %v", warm.Stats.Problems())

	pg.stop(t)
	down := time.Now()
	t.Log("PostgreSQL stopped")
	out := runner(sys, 6, 0)
	var mu sync.Mutex
	var answers []loadsim.FunctionResult
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := sys.Tenant.Branches[i%len(sys.Tenant.Branches)]
			c := out.NewCall(fmt.Sprintf("call_pgdown_%s_%d", loadsim.RandomID(3), i), b)
			out.Inbound(t.Context(), c)
			out.Webhook(t.Context(), c, "call_started")
			for _, fn := range []struct {
				ep   string
				args map[string]string
			}{
				{loadsim.EpCheck, map[string]string{"service": b.Services[0], "date": "übermorgen", "time": "um 11 Uhr"}},
				{loadsim.EpBook, map[string]string{"service": b.Services[0], "date": "übermorgen", "time": "um 11 Uhr", "name": "Ausfall Test"}},
			} {
				res, _ := out.Function(t.Context(), c, fn.ep, fn.args)
				mu.Lock()
				answers = append(answers, res)
				mu.Unlock()
			}
			out.Webhook(t.Context(), c, "call_ended")
			out.Webhook(t.Context(), c, "call_analyzed")
		}()
	}
	wg.Wait()
	during := time.Since(down)
	require.Less(t, during, 10*time.Second, "the outage calls took longer than the outage")
	after(t.Context(), 10*time.Second-during)
	pg.start(t)
	t.Logf("PostgreSQL back after %s", time.Since(down).Round(time.Millisecond))

	// During the outage: every webhook 204 at the first attempt, within the store timeout.
	require.Empty(t, out.Stats.Problems()[loadsim.EpWebhook], "webhooks during the outage")
	require.Less(t, out.Stats.Of(loadsim.EpWebhook).Max, 3*time.Second)
	// The inbound webhook fails open within its own bound.
	require.Less(t, out.Stats.Of(loadsim.EpInbound).Max, 1500*time.Millisecond+answerSlack)
	// Function calls: in time, HTTP 200, speakable.
	answeredInTime(t, out)
	for _, a := range answers {
		require.NotEmpty(t, a.Message, "a function answer with nothing to say")
	}
	t.Logf("answers during the outage: %d function calls, slowest %s; e.g. %q",
		len(answers), max(out.Stats.Of(loadsim.EpCheck).Max, out.Stats.Of(loadsim.EpBook).Max), answers[len(answers)-1].Message)

	waitReady(t, sys, 60*time.Second)
	c := checker(t, sys, rdb.URL, ns)
	settleAndCheck(t, c, out, 90*time.Second)
	settleAndCheck(t, c, warm, 30*time.Second)
}
