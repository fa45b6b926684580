package main

import (
	"time"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// Config is every setting of the gateway, read once at start.
type Config struct {
	config.Common
	// Addr serves Retell and /rpc (GATEWAY_ADDR).
	Addr string
	// RetellKeys verify X-Retell-Signature; several allow rotation (RETELL_API_KEY, comma-separated).
	RetellKeys []string
	// RateLimitPerMinute and RateLimitBurst bound each tenant's /rpc calls (a batch counts
	// each of its calls), across replicas. Read* and Write* bound the reads and the writes
	// that reach Cal.com (booking.create, booking.cancel, booking.reschedule) on top of it.
	RateLimitPerMinute      int
	RateLimitBurst          int
	ReadRateLimitPerMinute  int
	ReadRateLimitBurst      int
	WriteRateLimitPerMinute int
	WriteRateLimitBurst     int
	// DedupTTL is how long a webhook's key is remembered to drop duplicates.
	DedupTTL time.Duration
	// AuthCacheTTL caches API key lookups.
	AuthCacheTTL time.Duration
	// AuthCacheSize bounds the LRU cache of valid keys (AUTH_CACHE_SIZE);
	// AuthNegativeCacheSize and AuthNegativeCacheTTL bound the separate one of unknown
	// digests (AUTH_NEGATIVE_CACHE_SIZE, AUTH_NEGATIVE_CACHE_TTL).
	AuthCacheSize         int
	AuthNegativeCacheSize int
	AuthNegativeCacheTTL  time.Duration
	// AuthFailures* bound failed authentications per client address and per key prefix,
	// across replicas (AUTH_FAILURES_PER_MINUTE, AUTH_FAILURES_BURST,
	// AUTH_FAILURES_PER_KEY_PREFIX_PER_MINUTE, AUTH_FAILURES_PER_KEY_PREFIX_BURST).
	AuthFailuresPerMinute          int
	AuthFailuresBurst              int
	AuthFailuresPerPrefixPerMinute int
	AuthFailuresPerPrefixBurst     int
	// InboxTimeout bounds the durable write of a webhook before 503.
	InboxTimeout time.Duration
	// ShutdownTimeout bounds the HTTP server's graceful shutdown.
	ShutdownTimeout time.Duration
	// FunctionTimeout is the deadline of one Retell function call, end to end.
	FunctionTimeout time.Duration
	// FunctionResultTTL keeps function answers for Retell's retries.
	FunctionResultTTL time.Duration
	// InboundTimeout bounds the inbound webhook before it fails open.
	InboundTimeout time.Duration
	// UnknownNumberPolicy decides calls to numbers no branch owns: allow or reject.
	UnknownNumberPolicy string
	// DefaultLocation is the time zone of fail-open answers.
	DefaultLocation *time.Location
	// TrustedProxies are the load balancers whose X-Forwarded-For names the client in the audit
	// log (TRUSTED_PROXIES, comma-separated CIDR prefixes or addresses; default none).
	TrustedProxies gateway.TrustedProxies
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{
		Common:             config.ReadCommon(r, "gateway", ":9100"),
		Addr:               r.String("GATEWAY_ADDR", ":8080"),
		RetellKeys:         r.List("RETELL_API_KEY", nil),
		RateLimitPerMinute: r.IntRange("RPC_RATE_LIMIT_PER_MINUTE", 600, 1, 1_000_000),
		RateLimitBurst:     r.IntRange("RPC_RATE_LIMIT_BURST", 60, 1, 100_000),
		DedupTTL:           r.Duration("WEBHOOK_DEDUP_TTL", 7*24*time.Hour),
		AuthCacheTTL:       r.Duration("AUTH_CACHE_TTL", time.Minute),
		InboxTimeout:       r.Duration("WEBHOOK_STORE_TIMEOUT", 3*time.Second),
		ShutdownTimeout:    r.Duration("HTTP_SHUTDOWN_TIMEOUT", 10*time.Second),
	}
	// Reads may use the whole budget unless told otherwise. Writes default to a quarter of the
	// calcom service's 110/min per Cal.com key, which the tenant's voice agent books through
	// too: an integration cannot starve the phone.
	cfg.ReadRateLimitPerMinute = r.IntRange("RPC_RATE_LIMIT_READ_PER_MINUTE", cfg.RateLimitPerMinute, 1, 1_000_000)
	cfg.ReadRateLimitBurst = r.IntRange("RPC_RATE_LIMIT_READ_BURST", cfg.RateLimitBurst, 1, 100_000)
	cfg.WriteRateLimitPerMinute = r.IntRange("RPC_RATE_LIMIT_WRITE_PER_MINUTE", 30, 1, 1_000_000)
	cfg.WriteRateLimitBurst = r.IntRange("RPC_RATE_LIMIT_WRITE_BURST", 10, 1, 100_000)
	cfg.AuthCacheSize = r.IntRange("AUTH_CACHE_SIZE", 10_000, 1, 10_000_000)
	cfg.AuthNegativeCacheSize = r.IntRange("AUTH_NEGATIVE_CACHE_SIZE", 1_000, 1, 10_000_000)
	cfg.AuthNegativeCacheTTL = r.Duration("AUTH_NEGATIVE_CACHE_TTL", 10*time.Second)
	cfg.AuthFailuresPerMinute = r.IntRange("AUTH_FAILURES_PER_MINUTE", 30, 1, 1_000_000)
	cfg.AuthFailuresBurst = r.IntRange("AUTH_FAILURES_BURST", 10, 1, 100_000)
	cfg.AuthFailuresPerPrefixPerMinute = r.IntRange("AUTH_FAILURES_PER_KEY_PREFIX_PER_MINUTE", 60, 1, 1_000_000)
	cfg.AuthFailuresPerPrefixBurst = r.IntRange("AUTH_FAILURES_PER_KEY_PREFIX_BURST", 20, 1, 100_000)
	cfg.FunctionTimeout = r.Duration("FUNCTION_TIMEOUT", 8*time.Second)
	cfg.FunctionResultTTL = r.Duration("FUNCTION_RESULT_TTL", time.Hour)
	cfg.InboundTimeout = r.Duration("INBOUND_TIMEOUT", 1500*time.Millisecond)
	cfg.UnknownNumberPolicy = r.OneOf("INBOUND_UNKNOWN_POLICY", "allow", "allow", "reject")
	tz := r.String("DEFAULT_TIME_ZONE", "Europe/Berlin")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		r.Fail("DEFAULT_TIME_ZONE", "%q is not an IANA time zone", tz)
		loc = time.UTC
	}
	cfg.DefaultLocation = loc
	proxies, err := gateway.ParseTrustedProxies(r.List("TRUSTED_PROXIES", nil))
	if err != nil {
		r.Fail("TRUSTED_PROXIES", "%v", err)
	}
	cfg.TrustedProxies = proxies
	if len(cfg.RetellKeys) == 0 {
		r.Fail("RETELL_API_KEY", "required: the Retell API key(s) with the webhook badge, comma-separated")
	}
	return cfg, r.Err()
}
