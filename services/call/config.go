package main

import (
	"time"

	"github.com/askproai/backend/pkg/config"
)

// Config is every setting of the call service, read once at start.
type Config struct {
	config.Common
	// Workers bounds concurrent handlers (CALL_WORKERS).
	Workers int
	// JobTimeout bounds one extraction job started by call.saved (EXTRACTION_TIMEOUT).
	JobTimeout time.Duration
	// Analyzer picks who understands transcripts (INTENT_ANALYZER): "routing" asks
	// routing.analyzeIntent on the bus; "keywords" uses the local keyword reader, which knows
	// intents and names but no dates or services.
	Analyzer string
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{
		Common:     config.ReadCommon(r, "call", ":9102"),
		Workers:    r.IntRange("CALL_WORKERS", 64, 1, 4096),
		JobTimeout: r.Duration("EXTRACTION_TIMEOUT", 10*time.Second),
		Analyzer:   r.OneOf("INTENT_ANALYZER", "routing", "routing", "keywords"),
	}
	return cfg, r.Err()
}
