package main

import "github.com/askproai/backend/pkg/config"

// Config is every setting of the booking service, read once at start.
type Config struct {
	config.Common
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{Common: config.ReadCommon(r, "booking", ":9103")}
	return cfg, r.Err()
}
