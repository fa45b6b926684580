package config

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Common holds the settings every service reads the same way.
type Common struct {
	// Service is the service's name, fixed by its main package.
	Service string
	// Instance is the stable consumer name: POD_NAME, else hostname-pid.
	Instance string
	// RedisURL is the Redis the bus runs on (REDIS_URL); rediss:// speaks TLS.
	RedisURL string
	// RedisTLS names the files for a rediss:// REDIS_URL (REDIS_TLS_*).
	RedisTLS RedisTLS
	// Namespace prefixes every Redis key of the bus and of the services (RPC_NAMESPACE), so
	// several systems (or tests) can share one Redis.
	Namespace string
	// LogLevel is zerolog's level name (LOG_LEVEL).
	LogLevel string
	// LogFormat is json or console (LOG_FORMAT).
	LogFormat string
	// OpsAddr serves /health, /ready and /metrics (OPS_ADDR); empty disables it.
	OpsAddr string
	// OTLPEndpoint enables trace export when set (OTEL_EXPORTER_OTLP_ENDPOINT).
	OTLPEndpoint string
	// DrainTimeout bounds graceful shutdown (DRAIN_TIMEOUT).
	DrainTimeout time.Duration
	// ClaimMinIdle is how long a request or event may sit unacknowledged before another
	// instance claims it (RPC_CLAIM_MIN_IDLE, rpc.ServerConfig.ClaimMinIdle). Running handlers
	// renew their claim every third of it, so only a dead or frozen instance's work is taken.
	// It is also the first pause before a failed event is delivered again; the pause doubles
	// with every delivery up to rpc.ServerConfig.RetryMaxDelay (5, 10 … 160, 300 s: about ten
	// minutes of outage before the 8th failure dead-letters the event).
	ClaimMinIdle time.Duration
}

// Claim bounds: below minClaimMinIdle a pause of the Go runtime or a slow Redis could let
// live work be claimed; above maxClaimMinIdle a dead instance's requests outlive the callers'
// deadlines (a Retell function call has 8 s).
const (
	minClaimMinIdle = 500 * time.Millisecond
	maxClaimMinIdle = 30 * time.Second
)

// ReadCommon reads the settings shared by all services. defaultOps is the service's default
// ops address.
func ReadCommon(r *Reader, service, defaultOps string) Common {
	redisURL := ReadRedisURL(r)
	return Common{
		Service:      service,
		Instance:     r.String("POD_NAME", defaultInstance()),
		RedisURL:     redisURL,
		RedisTLS:     ReadRedisTLS(r, redisURL),
		Namespace:    r.String("RPC_NAMESPACE", "askpro"),
		LogLevel:     r.OneOf("LOG_LEVEL", "info", "trace", "debug", "info", "warn", "error"),
		LogFormat:    r.OneOf("LOG_FORMAT", "json", "json", "console"),
		OpsAddr:      r.String("OPS_ADDR", defaultOps),
		OTLPEndpoint: r.String("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
		DrainTimeout: r.Duration("DRAIN_TIMEOUT", 25*time.Second),
		ClaimMinIdle: claimMinIdle(r),
	}
}

// RedisTLS is where a rediss:// connection finds its certificates. All are PEM files; all are
// optional: without CAFile the system roots verify the server; CertFile and KeyFile (both or
// neither) are the client certificate a server with tls-auth-clients asks for.
type RedisTLS struct {
	CAFile   string // REDIS_TLS_CA_FILE
	CertFile string // REDIS_TLS_CERT_FILE
	KeyFile  string // REDIS_TLS_KEY_FILE
}

// ReadRedisURL reads REDIS_URL (redis:// or rediss://).
func ReadRedisURL(r *Reader) string {
	return r.URL("REDIS_URL", "redis://127.0.0.1:6379/0", "redis", "rediss")
}

// ReadRedisTLS reads REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE and checks
// that each one set is a readable file, that cert and key come together, and that redisURL is
// rediss:// when any is set (a plain connection would ignore them).
func ReadRedisTLS(r *Reader, redisURL string) RedisTLS {
	t := RedisTLS{
		CAFile:   r.String("REDIS_TLS_CA_FILE", ""),
		CertFile: r.String("REDIS_TLS_CERT_FILE", ""),
		KeyFile:  r.String("REDIS_TLS_KEY_FILE", ""),
	}
	for _, f := range [...]struct{ key, path string }{
		{"REDIS_TLS_CA_FILE", t.CAFile}, {"REDIS_TLS_CERT_FILE", t.CertFile}, {"REDIS_TLS_KEY_FILE", t.KeyFile},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.ReadFile(f.path); err != nil {
			r.Fail(f.key, "cannot read the file: %v", err)
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		r.Fail("REDIS_TLS_CERT_FILE", "REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE must be set together")
	}
	if t != (RedisTLS{}) && !strings.HasPrefix(redisURL, "rediss://") {
		r.Fail("REDIS_URL", "REDIS_TLS_* is set but REDIS_URL is not rediss:// (TLS would not be used)")
	}
	return t
}

func claimMinIdle(r *Reader) time.Duration {
	d := r.Duration("RPC_CLAIM_MIN_IDLE", 5*time.Second)
	if d < minClaimMinIdle || d > maxClaimMinIdle {
		r.Fail("RPC_CLAIM_MIN_IDLE", "%s is outside %s..%s", d, minClaimMinIdle, maxClaimMinIdle)
	}
	return d
}

func defaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "local"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
