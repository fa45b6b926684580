package main

import "github.com/askproai/backend/pkg/config"

// Config is every setting of the gateway service, read once at start.
type Config struct {
	config.Common
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{Common: config.ReadCommon(r, "gateway", ":9100")}
	return cfg, r.Err()
}
