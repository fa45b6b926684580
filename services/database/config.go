package main

import (
	"time"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/services/database/internal/database"
)

// Config is every setting of the database service, read once at start.
type Config struct {
	config.Common

	// DatabaseURL is the primary (DATABASE_URL); DatabaseReadURL an optional replica for reads
	// that tolerate lag (DATABASE_READ_URL).
	DatabaseURL, DatabaseReadURL string
	WriteConns, ReadConns        int
	TxAttempts                   int
	// Cipher holds the PII keys (PII_KEYS, current first) and the blind-index key
	// (BLIND_INDEX_KEY), parsed and checked here.
	Cipher *database.Cipher
	// Region reads phone numbers written without country code (DEFAULT_REGION, "DE"); every
	// service normalises with the same pkg/phone and the same setting.
	Region string

	Workers             int
	CacheTTL, L1TTL     time.Duration
	OutboxBatch         int
	OutboxInterval      time.Duration
	MaintenanceInterval time.Duration
	PartitionsAhead     int
	OutboxRetention     time.Duration
	InboxRetention      time.Duration
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{
		Common:              config.ReadCommon(r, "database", ":9104"),
		DatabaseURL:         r.URL("DATABASE_URL", "", "postgres", "postgresql"),
		DatabaseReadURL:     r.URL("DATABASE_READ_URL", "", "postgres", "postgresql"),
		WriteConns:          r.IntRange("DB_WRITE_CONNS", 20, 1, 1000),
		ReadConns:           r.IntRange("DB_READ_CONNS", 20, 1, 1000),
		TxAttempts:          r.IntRange("DB_TX_ATTEMPTS", 3, 1, 10),
		Workers:             r.IntRange("RPC_WORKERS", 64, 1, 4096),
		CacheTTL:            r.Duration("CACHE_TTL", 5*time.Minute),
		L1TTL:               r.Duration("CACHE_L1_TTL", 2*time.Second),
		OutboxBatch:         r.IntRange("OUTBOX_BATCH", 100, 1, 10000),
		OutboxInterval:      r.Duration("OUTBOX_INTERVAL", 250*time.Millisecond),
		MaintenanceInterval: r.Duration("MAINTENANCE_INTERVAL", 10*time.Minute),
		PartitionsAhead:     r.IntRange("PARTITION_MONTHS_AHEAD", 3, 1, 36),
		OutboxRetention:     r.Duration("OUTBOX_RETENTION", 7*24*time.Hour),
		InboxRetention:      r.Duration("INBOX_RETENTION", 30*24*time.Hour),
		Region:              phone.ReadRegion(r),
	}
	if cfg.DatabaseURL == "" {
		r.Fail("DATABASE_URL", "required but not set")
	}
	piiKeys, blindKey := r.Required("PII_KEYS"), r.Required("BLIND_INDEX_KEY")
	if piiKeys != "" && blindKey != "" {
		c, err := database.ParseKeys(piiKeys, blindKey)
		if err != nil {
			r.Fail("PII_KEYS/BLIND_INDEX_KEY", "%v", err)
		}
		cfg.Cipher = c
	}
	if cfg.MaintenanceInterval < time.Second {
		r.Fail("MAINTENANCE_INTERVAL", "must be at least 1s")
	}
	return cfg, r.Err()
}
