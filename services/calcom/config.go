package main

import (
	"time"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/phone"
)

// Config is every setting of the calcom service, read once at start.
type Config struct {
	config.Common
	// KeyPrefix prefixes the rate-limit and cache keys (CALCOM_KEY_PREFIX).
	KeyPrefix string
	// BaseURL of Cal.com (CALCOM_BASE_URL); the default is a local calsim, so `make run` never
	// reaches the real API by accident. Production sets https://api.cal.com.
	BaseURL string
	// APIKey, when set, is used for every company (development against calsim, single-tenant
	// setups); empty means each company's key comes from the database service, which stores it
	// encrypted (CALCOM_API_KEY). KeyCacheTTL keeps a looked-up key in memory.
	APIKey             string
	KeyCacheTTL        time.Duration
	RequestTimeout     time.Duration
	BreakerFailures    int
	BreakerOpenTimeout time.Duration
	RateLimit          int
	RateBurst          int
	MaxRateWait        time.Duration
	RetryAttempts      int
	CacheTTL           time.Duration
	BulkConcurrency    int
	// Region reads attendee numbers written without country code (DEFAULT_REGION).
	Region string
	// WebhookAddr serves POST /webhooks/calcom (CALCOM_WEBHOOK_ADDR); empty disables it.
	WebhookAddr   string
	WebhookSecret string
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{
		Common:             config.ReadCommon(r, "calcom", ":9105"),
		KeyPrefix:          r.String("CALCOM_KEY_PREFIX", "calcom:"),
		BaseURL:            r.URL("CALCOM_BASE_URL", "http://127.0.0.1:9180", "http", "https"),
		APIKey:             r.String("CALCOM_API_KEY", ""),
		KeyCacheTTL:        r.Duration("CALCOM_KEY_CACHE_TTL", 5*time.Minute),
		RequestTimeout:     r.Duration("CALCOM_REQUEST_TIMEOUT", 30*time.Second),
		BreakerFailures:    r.IntRange("CALCOM_BREAKER_FAILURES", 5, 1, 1000),
		BreakerOpenTimeout: r.Duration("CALCOM_BREAKER_OPEN_TIMEOUT", 60*time.Second),
		RateLimit:          r.IntRange("CALCOM_RATE_LIMIT", 110, 2, 10000),
		RateBurst:          r.IntRange("CALCOM_RATE_BURST", 10, 1, 10000),
		MaxRateWait:        r.Duration("CALCOM_MAX_RATE_WAIT", 10*time.Second),
		RetryAttempts:      r.IntRange("CALCOM_RETRY_ATTEMPTS", 3, 1, 10),
		CacheTTL:           r.Duration("CALCOM_CACHE_TTL", 300*time.Second),
		BulkConcurrency:    r.IntRange("CALCOM_BULK_CONCURRENCY", 4, 1, 64),
		Region:             phone.ReadRegion(r),
		WebhookAddr:        r.String("CALCOM_WEBHOOK_ADDR", ""),
		WebhookSecret:      r.String("CALCOM_WEBHOOK_SECRET", ""),
	}
	if cfg.RateBurst >= cfg.RateLimit {
		r.Fail("CALCOM_RATE_BURST", "must be below CALCOM_RATE_LIMIT (%d)", cfg.RateLimit)
	}
	if cfg.WebhookAddr != "" && cfg.WebhookSecret == "" {
		r.Fail("CALCOM_WEBHOOK_SECRET", "is required when CALCOM_WEBHOOK_ADDR is set")
	}
	return cfg, r.Err()
}
