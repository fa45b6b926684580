package stack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/askproai/backend/pkg/clock"
)

// Config describes one system to start.
type Config struct {
	// Bin maps binary names to paths (from Build).
	Bin map[string]string
	// RedisURL and DatabaseURL are the dependencies; DatabaseURL names a migrated database.
	RedisURL, DatabaseURL string
	// Namespace prefixes every Redis key of the system (RPC_NAMESPACE), so several systems and
	// tests share one Redis.
	Namespace string
	// RetellKey signs Retell traffic.
	RetellKey string
	// PIIKeys and BlindIndexKey are the database service's keys.
	PIIKeys, BlindIndexKey string
	// CalsimSeed is calsim's seed file; CalsimArgs are extra flags (faults, rate limit).
	CalsimSeed string
	CalsimArgs []string
	// LogDir receives one log file per process.
	LogDir string
	// ClockFile, when set, is the test clock (pkg/clock) of calsim and every service: binaries
	// built with TestClockTag take their business time from it, so a test moves the running
	// system to any instant with clock.Set. Binaries built without the tag ignore it.
	ClockFile string
	// Env is added to every service's environment; ServiceEnv to one service's.
	Env        map[string]string
	ServiceEnv map[string]map[string]string
}

// System is a running calsim plus the six services.
type System struct {
	cfg        Config
	GatewayURL string
	CalsimURL  string
	// Ops maps a process name to its ops address (/health, /ready, /metrics).
	Ops   map[string]string
	procs map[string]*Process
	order []string
}

// Start launches calsim and every service, each waited for until /ready answers.
func Start(ctx context.Context, cfg Config) (*System, error) {
	s := &System{cfg: cfg, Ops: map[string]string{}, procs: map[string]*Process{}}
	if err := s.startCalsim(ctx); err != nil {
		return s, err
	}
	gw, err := FreeAddr()
	if err != nil {
		return s, err
	}
	s.GatewayURL = "http://" + gw
	for _, name := range Services {
		if _, err := s.StartService(ctx, name, name+"-0"); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (s *System) startCalsim(ctx context.Context) error {
	addr, err := FreeAddr()
	if err != nil {
		return err
	}
	args := append([]string{"-addr", addr}, s.cfg.CalsimArgs...)
	if s.cfg.CalsimSeed != "" {
		args = append(args, "-seed", s.cfg.CalsimSeed)
	}
	var env map[string]string
	if s.cfg.ClockFile != "" {
		env = map[string]string{clock.EnvFile: s.cfg.ClockFile}
	}
	p, err := StartProcess("calsim", s.cfg.Bin["calsim"], args, env, s.cfg.LogDir)
	if err != nil {
		return err
	}
	s.add("calsim", p)
	s.CalsimURL = "http://" + addr
	return waitTCP(ctx, p, addr, 20*time.Second)
}

// StartService starts one instance of a service (a second instance of a running service
// takes another instance name) and waits until it is ready.
func (s *System) StartService(ctx context.Context, service, instance string) (*Process, error) {
	ops, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	env := s.env(service, instance, ops)
	p, err := StartProcess(instance, s.cfg.Bin[service], nil, env, s.cfg.LogDir)
	if err != nil {
		return nil, err
	}
	s.add(instance, p)
	s.Ops[instance] = ops
	return p, WaitHTTP(ctx, p, "http://"+ops+"/ready", 30*time.Second)
}

func (s *System) env(service, instance, ops string) map[string]string {
	env := map[string]string{
		"REDIS_URL": s.cfg.RedisURL, "RPC_NAMESPACE": s.cfg.Namespace, "POD_NAME": instance,
		"OPS_ADDR": ops, "LOG_LEVEL": "info", "LOG_FORMAT": "json", "DRAIN_TIMEOUT": "10s",
	}
	if s.cfg.ClockFile != "" {
		env[clock.EnvFile] = s.cfg.ClockFile
	}
	switch service {
	case "database":
		env["DATABASE_URL"] = s.cfg.DatabaseURL
		env["PII_KEYS"], env["BLIND_INDEX_KEY"] = s.cfg.PIIKeys, s.cfg.BlindIndexKey
	case "calcom":
		env["CALCOM_BASE_URL"] = s.CalsimURL
		// The rate-limit and cache keys are per Cal.com key; keep systems on one Redis apart.
		env["CALCOM_KEY_PREFIX"] = s.cfg.Namespace + ":calcom:"
	case "gateway":
		env["GATEWAY_ADDR"] = s.GatewayURL[len("http://"):]
		env["RETELL_API_KEY"] = s.cfg.RetellKey
	case "booking":
		env["SMS_PROVIDER"] = "log"
	}
	maps.Copy(env, s.cfg.Env)
	maps.Copy(env, s.cfg.ServiceEnv[service])
	return env
}

func (s *System) add(name string, p *Process) {
	if _, ok := s.procs[name]; !ok {
		s.order = append(s.order, name)
	}
	s.procs[name] = p
}

// Process returns the process started under name (a service's first instance is "<service>-0").
func (s *System) Process(name string) *Process { return s.procs[name] }

// Stop stops every process in reverse start order, each drained within its grace period.
func (s *System) Stop() error {
	var errs []error
	for _, name := range slices.Backward(s.order) {
		if err := s.procs[name].Stop(20 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Logs returns the tail of every process's log, for a failing test's report.
func (s *System) Logs(lines int) string {
	out := ""
	for _, name := range s.order {
		out += fmt.Sprintf("---- %s\n%s\n", name, tail(s.procs[name].Log(), lines))
	}
	return out
}

func waitTCP(ctx context.Context, p *Process, addr string, timeout time.Duration) error {
	return WaitHTTP(ctx, p, "http://"+addr+"/_calsim/bookings", timeout)
}
