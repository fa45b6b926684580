package main

import (
	"flag"
	"os"
	"time"
)

type config struct {
	redisURL string
	duration time.Duration
	c1Calls  int
	workers  int
	readers  int
	rounds   int
	profile  string
}

func readConfig() config {
	c := config{redisURL: os.Getenv("REDIS_URL")}
	if c.redisURL == "" {
		c.redisURL = "redis://127.0.0.1:6379/0"
	}
	flag.DurationVar(&c.duration, "duration", 6*time.Second, "total length of the concurrency-64 runs of each path")
	flag.IntVar(&c.rounds, "rounds", 6, "alternating concurrency-64 rounds")
	flag.IntVar(&c.c1Calls, "c1-calls", 5000, "round trips of each concurrency-1 run")
	flag.IntVar(&c.workers, "workers", 64, "server workers")
	flag.IntVar(&c.readers, "readers", 0, "server readers per lane (0: default)")
	flag.StringVar(&c.profile, "cpuprofile", "", "after the measured runs, profile a concurrency-64 RPC run alone and write its CPU profile here (allocations: <file>.mem)")
	flag.Parse()
	return c
}
