package tlsconf_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/migrations"
	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/lifecycle"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/pkg/tlsconf"
)

// notBefore is fixed so that no certificate depends on the wall clock; the certificates are
// valid from 2020 to 2100.
var (
	notBefore = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// TestRedisAndPostgresOverTLS starts a TLS-only Redis (client certificates required) and a
// TLS-only PostgreSQL (client certificate authentication) on loopback with a CA made here,
// then runs one bus call over Redis and the migrations and a query over PostgreSQL through
// the code the services use; a wrong CA, a missing client certificate and plain redis:// to
// the TLS port each fail with an error that says so.
func TestRedisAndPostgresOverTLS(t *testing.T) {
	redisBin := need(t, "redis-server", func() (string, error) { return exec.LookPath("redis-server") })
	pgBin := need(t, "PostgreSQL binaries (initdb, postgres)", pgBinDir)

	dir := t.TempDir()
	ca := newCA(t, "askpro test CA")
	wrong := newCA(t, "some other CA")
	files := map[string][]byte{"ca.crt": ca.certPEM, "wrong-ca.crt": wrong.certPEM}
	files["server.crt"], files["server.key"] = ca.issue(t, "127.0.0.1", true)
	// CN postgres: PostgreSQL's cert authentication maps the certificate to that user.
	files["client.crt"], files["client.key"] = ca.issue(t, "postgres", false)
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
	}
	path := func(name string) string { return filepath.Join(dir, name) }
	clientTLS := config.RedisTLS{CAFile: path("ca.crt"), CertFile: path("client.crt"), KeyFile: path("client.key")}

	var wg sync.WaitGroup
	var redisAddr, pgURL string
	wg.Add(2)
	go func() { defer wg.Done(); redisAddr = startRedis(t, redisBin, dir) }()
	go func() { defer wg.Done(); pgURL = startPostgres(t, pgBin, files, dir) }()
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	redisURL := "rediss://" + redisAddr + "/0"

	t.Run("bus call over rediss with client certificate", func(t *testing.T) {
		p, err := lifecycle.Start(t.Context(), config.Common{Service: "tlstest", Instance: "i-1",
			RedisURL: redisURL, RedisTLS: clientTLS, LogLevel: "error", DrainTimeout: time.Second})
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		env := &testenv.RedisEnv{Client: p.Redis, URL: redisURL, Prefix: "test:" + testenv.RandomSuffix() + ":"}
		rpctest.StartServer(t, env, rpctest.ServerConfig(env, "echo", "echo-0"), nil, func(s *rpc.Server) {
			rpc.Register(s, "upper", func(_ context.Context, in upperParams) (string, error) { return strings.ToUpper(in.Text), nil })
		})
		var out string
		require.NoError(t, rpctest.NewClient(t, env, "tls-client", nil).Call(t.Context(), "echo", "upper", upperParams{Text: "hallo"}, &out))
		assert.Equal(t, "HALLO", out)
	})

	t.Run("wrong CA stops start-up", func(t *testing.T) {
		tls := clientTLS
		tls.CAFile = path("wrong-ca.crt")
		_, err := lifecycle.Start(t.Context(), config.Common{Service: "tlstest", Instance: "i-2",
			RedisURL: redisURL, RedisTLS: tls, LogLevel: "error", DrainTimeout: time.Second})
		require.Error(t, err)
		t.Log(err)
		assert.Contains(t, err.Error(), "redis: certificate verification failed (check REDIS_TLS_CA_FILE")
	})

	t.Run("no client certificate is refused", func(t *testing.T) {
		_, err := lifecycle.Start(t.Context(), config.Common{Service: "tlstest", Instance: "i-3",
			RedisURL: redisURL, RedisTLS: config.RedisTLS{CAFile: path("ca.crt")}, LogLevel: "error", DrainTimeout: time.Second})
		require.Error(t, err)
		t.Log(err)
		assert.Contains(t, err.Error(), "redis: the server rejected the TLS handshake")
	})

	t.Run("plain redis to the TLS port", func(t *testing.T) {
		plain := "redis://" + redisAddr + "/0"
		rdb, err := tlsconf.NewRedis(plain, config.RedisTLS{}, "tlstest")
		require.NoError(t, err)
		defer rdb.Close()
		err = tlsconf.ExplainRedis(plain, rdb.Ping(t.Context()).Err())
		require.Error(t, err)
		t.Log(err)
		assert.Contains(t, err.Error(), "a TLS-only port? use rediss://")
	})

	t.Run("migrations and a query over verify-full", func(t *testing.T) {
		v, err := migrations.Up(t.Context(), pgURL)
		require.NoError(t, err)
		assert.Positive(t, v)
		cfg, err := tlsconf.PostgresPoolConfig(pgURL)
		require.NoError(t, err)
		pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
		require.NoError(t, err)
		defer pool.Close()
		var ssl bool
		require.NoError(t, pool.QueryRow(t.Context(), `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl))
		assert.True(t, ssl)
		var n int
		require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM companies`).Scan(&n))
	})

	t.Run("postgres wrong CA", func(t *testing.T) {
		bad := strings.Replace(pgURL, url.QueryEscape(path("ca.crt")), url.QueryEscape(path("wrong-ca.crt")), 1)
		require.NotEqual(t, pgURL, bad)
		cfg, err := tlsconf.PostgresPoolConfig(bad)
		require.NoError(t, err)
		pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
		require.NoError(t, err)
		defer pool.Close()
		err = tlsconf.ExplainPostgres(pool.Ping(t.Context()))
		require.Error(t, err)
		t.Log(err)
		assert.Contains(t, err.Error(), "postgres: certificate verification failed (check DATABASE_URL sslrootcert")
	})

	t.Run("postgres missing CA file names the setting", func(t *testing.T) {
		bad := strings.Replace(pgURL, url.QueryEscape(path("ca.crt")), url.QueryEscape(path("absent.crt")), 1)
		_, err := tlsconf.PostgresPoolConfig(bad)
		require.Error(t, err)
		t.Log(err)
		assert.Contains(t, err.Error(), "DATABASE_URL sslrootcert")
	})
}

type upperParams struct {
	Text string `json:"text"`
}

// need finds a binary with find, or skips the test (fails it when CI is set).
func need(t *testing.T, what string, find func() (string, error)) string {
	t.Helper()
	p, err := find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required when CI is set: %v (install redis-server and postgresql as scripts/services.sh does)", what, err)
		}
		t.Skipf("%s not found (%v); install redis-server and postgresql to run the TLS test", what, err)
	}
	return p
}

// pgBinDir finds PostgreSQL's bin directory the way scripts/services.sh does: initdb on PATH,
// else the newest /usr/lib/postgresql/*/bin.
func pgBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if p, err = filepath.EvalSymlinks(p); err == nil {
			if _, err := os.Stat(filepath.Join(filepath.Dir(p), "postgres")); err == nil {
				return filepath.Dir(p), nil
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return majorOf(b) - majorOf(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no initdb on PATH or in /usr/lib/postgresql/*/bin")
}

func majorOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// startRedis runs a TLS-only redis-server (plain port off, client certificates required) and
// returns its address once it answers.
func startRedis(t *testing.T, bin, dir string) string {
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--port", "0", "--tls-port", port, "--bind", "127.0.0.1",
		"--tls-cert-file", filepath.Join(dir, "server.crt"), "--tls-key-file", filepath.Join(dir, "server.key"),
		"--tls-ca-cert-file", filepath.Join(dir, "ca.crt"), "--tls-auth-clients", "yes",
		"--save", "", "--appendonly", "no", "--dir", dir)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	exited := run(t, cmd, syscall.SIGTERM)
	tls := config.RedisTLS{CAFile: filepath.Join(dir, "ca.crt"),
		CertFile: filepath.Join(dir, "client.crt"), KeyFile: filepath.Join(dir, "client.key")}
	rdb, err := tlsconf.NewRedis("rediss://"+addr+"/0", tls, "tlstest-probe")
	if err != nil {
		t.Errorf("redis probe: %v", err)
		return ""
	}
	defer rdb.Close()
	waitUp(t, "redis-server", exited, out, func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
	return addr
}

// startPostgres runs initdb and a postgres that accepts only TLS connections with a client
// certificate from the test CA, and returns its verify-full URL once it answers. As root the
// server runs as the postgres user (PostgreSQL refuses root), in a directory that user owns.
func startPostgres(t *testing.T, bin string, files map[string][]byte, clientDir string) string {
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Errorf("running as root needs the postgres user (scripts/services.sh creates it): %v", err)
			return ""
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir, err := pgDir(cred)
	if err != nil {
		t.Errorf("postgres directory: %v", err)
		return ""
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	for _, name := range []string{"server.crt", "server.key", "ca.crt"} {
		p := filepath.Join(dir, name)
		err := os.WriteFile(p, files[name], 0o600)
		if err == nil && cred != nil {
			err = os.Chown(p, int(cred.Uid), int(cred.Gid))
		}
		if err != nil {
			t.Errorf("write %s: %v", name, err)
			return ""
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-locale", "--no-sync")
	initdb.Dir = "/" // the postgres user may not be allowed into the working directory
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Errorf("initdb: %v\n%s", err, out)
		return ""
	}
	// Unix socket for nothing but trust; TCP only over TLS, authenticated by the certificate.
	hba := "local all all trust\nhostssl all all 127.0.0.1/32 cert\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		t.Errorf("pg_hba.conf: %v", err)
		return ""
	}
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", port, "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "ssl=on",
		"-c", "ssl_cert_file="+filepath.Join(dir, "server.crt"), "-c", "ssl_key_file="+filepath.Join(dir, "server.key"),
		"-c", "ssl_ca_file="+filepath.Join(dir, "ca.crt"), "-c", "max_connections=20", "-c", "shared_buffers=16MB",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	exited := run(t, cmd, syscall.SIGINT) // fast shutdown
	q := url.Values{"sslmode": {"verify-full"}, "sslrootcert": {filepath.Join(clientDir, "ca.crt")},
		"sslcert": {filepath.Join(clientDir, "client.crt")}, "sslkey": {filepath.Join(clientDir, "client.key")}}
	u := "postgres://postgres@" + addr + "/postgres?" + q.Encode()
	cfg, err := tlsconf.PostgresConnConfig(u)
	if err != nil {
		t.Errorf("postgres url: %v", err)
		return ""
	}
	waitUp(t, "postgres", exited, out, func(ctx context.Context) error {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	})
	return u
}

// pgDir makes a 0700 directory the server's user owns, under the temp directory when that
// user can enter it, else under /var/lib/askpro-dev (as scripts/services.sh does).
func pgDir(cred *syscall.Credential) (string, error) {
	for _, base := range []string{os.TempDir(), "/var/lib/askpro-dev"} {
		if err := os.MkdirAll(base, 0o755); err != nil {
			continue
		}
		dir, err := os.MkdirTemp(base, "askpro-tls-pg-")
		if err != nil {
			continue
		}
		if cred == nil {
			return dir, nil
		}
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			_ = os.RemoveAll(dir)
			return "", err
		}
		probe := exec.Command("test", "-x", dir, "-a", "-w", dir)
		probe.Dir = "/"
		probe.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if probe.Run() == nil {
			return dir, nil
		}
		_ = os.RemoveAll(dir)
	}
	return "", errors.New("no directory the postgres user can enter")
}

// run starts cmd and stops it with sig when the test ends; the returned channel closes when
// it exits.
func run(t *testing.T, cmd *exec.Cmd, sig os.Signal) <-chan struct{} {
	exited := make(chan struct{})
	if err := cmd.Start(); err != nil {
		t.Errorf("start %s: %v", cmd.Path, err)
		close(exited)
		return exited
	}
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(sig)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return exited
}

// waitUp polls probe until it succeeds, the process exits or 20 s pass.
func waitUp(t *testing.T, what string, exited <-chan struct{}, out fmt.Stringer, probe func(context.Context) error) {
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := probe(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-exited:
			t.Errorf("%s exited: %v\n%s", what, err, out)
			return
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Errorf("%s did not answer within 20 s: %v\n%s", what, err, out)
			return
		}
	}
}

type authority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newCA(t *testing.T, name string) authority {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: serial(t), Subject: pkix.Name{CommonName: name},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return authority{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a server certificate for 127.0.0.1 and localhost, or a client certificate
// with common name cn, and returns certificate and key as PEM.
func (a authority) issue(t *testing.T, cn string, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: serial(t), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func serial(t *testing.T) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	require.NoError(t, err)
	return n
}
