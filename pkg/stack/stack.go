// Package stack builds and starts the whole system as separate processes (calsim and the six
// services, each its own binary, as in production), on the Redis and PostgreSQL it is given.
// The end-to-end test, the load generator and the fault tests use it, so what they exercise
// is the real binaries talking over the real bus.
package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Services in start order: those others call first, the gateway last.
var Services = []string{"database", "calcom", "routing", "call", "booking", "gateway"}

// Binaries maps a binary name to the module directory and package it is built from.
var Binaries = map[string][2]string{
	"gateway": {"services/gateway", "."}, "routing": {"services/routing", "."}, "call": {"services/call", "."},
	"booking": {"services/booking", "."}, "database": {"services/database", "."}, "calcom": {"services/calcom", "."},
	"calsim": {"services/calcom", "./cmd/calsim"}, "askpro": {"services/database", "./cmd/askpro"},
}

// Root finds the repository root (the folder with go.work) from the working directory up.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory")
		}
		dir = parent
	}
}

// TestClockTag is the build tag that compiles the test clock of pkg/clock into a binary: its
// business time then follows Config.ClockFile. Only tests pass it (BuildOptions.Tags).
const TestClockTag = "askpro_testclock"

// BuildOptions are extra settings of go build.
type BuildOptions struct {
	// Tags are build tags (-tags), e.g. TestClockTag.
	Tags []string
}

// Build compiles the named binaries (all of Binaries when names is empty) into outDir, each
// module with GOWORK=off as its Dockerfile does, and returns their paths.
func Build(ctx context.Context, root, outDir string, names ...string) (map[string]string, error) {
	return BuildWith(ctx, root, outDir, BuildOptions{}, names...)
}

// BuildWith is Build with extra go build settings.
func BuildWith(ctx context.Context, root, outDir string, opt BuildOptions, names ...string) (map[string]string, error) {
	if len(names) == 0 {
		for n := range Binaries {
			names = append(names, n)
		}
	}
	out := make(map[string]string, len(names))
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, n := range names {
		b, ok := Binaries[n]
		if !ok {
			return nil, fmt.Errorf("unknown binary %q", n)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			path := filepath.Join(outDir, n)
			args := []string{"build", "-o", path}
			if len(opt.Tags) > 0 {
				args = append(args, "-tags", strings.Join(opt.Tags, ","))
			}
			cmd := exec.CommandContext(ctx, "go", append(args, b[1])...)
			cmd.Dir = filepath.Join(root, b[0])
			cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
			outb, err := cmd.CombinedOutput()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("build %s: %w\n%s", n, err, outb))
				return
			}
			out[n] = path
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// Process is one running binary.
type Process struct {
	Name    string
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
	err     error
}

// StartProcess runs bin with args and env (added to a minimal base environment), its output
// going to logDir/<name>.log.
func StartProcess(name, bin string, args []string, env map[string]string, logDir string) (*Process, error) {
	logPath := filepath.Join(logDir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...) //nolint:noctx // lifetime is managed by Stop, not a context
	cmd.Stdout, cmd.Stderr = f, f
	// Only what a Go binary needs from the parent; everything else comes from env, so a test
	// cannot leak its own REDIS_URL or DATABASE_URL into a service by accident.
	cmd.Env = []string{"TZ=UTC"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM and waits up to grace for a drained exit, then kills.
func (p *Process) Stop(grace time.Duration) error {
	if p.Exited() {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		var exit *exec.ExitError
		if errors.As(p.err, &exit) && exit.ExitCode() != 0 {
			return fmt.Errorf("%s exited with %d", p.Name, exit.ExitCode())
		}
		return nil
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %s", p.Name, grace)
	}
}

// Kill ends the process at once (SIGKILL), as a crash would.
func (p *Process) Kill() {
	if !p.Exited() {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Log returns what the process wrote so far.
func (p *Process) Log() string {
	b, _ := os.ReadFile(p.LogPath)
	return string(b)
}

// FreeAddr returns a loopback address whose port was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") //nolint:noctx // a momentary probe
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// WaitHTTP polls url until it answers 200, the process exits, or timeout passes.
func WaitHTTP(ctx context.Context, p *Process, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if p != nil && p.Exited() {
			return fmt.Errorf("%s exited before %s answered:\n%s", p.Name, url, tail(p.Log(), 30))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer 200 within %s", url, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
