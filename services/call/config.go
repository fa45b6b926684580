package main

import "github.com/askproai/backend/pkg/config"

// Config is every setting of the call service, read once at start.
type Config struct {
	config.Common
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{Common: config.ReadCommon(r, "call", ":9102")}
	return cfg, r.Err()
}
