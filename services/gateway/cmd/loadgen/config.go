package main

import (
	"fmt"

	"github.com/askproai/backend/pkg/config"
)

// env is what loadgen reads from the environment: the servers of `make services-up`.
type env struct {
	// RedisURL is the Redis the system runs on (a fresh namespace per run).
	RedisURL string
	// AdminDatabaseURL names the PostgreSQL server; a fresh database is created on it per run.
	AdminDatabaseURL string
}

func loadEnv() (env, error) {
	r := config.New(config.OSLookup)
	e := env{
		RedisURL:         r.URL("REDIS_URL", "", "redis", "rediss"),
		AdminDatabaseURL: r.URL("DATABASE_URL", "", "postgres", "postgresql"),
	}
	if err := r.Err(); err != nil {
		return e, fmt.Errorf("environment (make services-up; . .dev/env): %w", err)
	}
	return e, nil
}
