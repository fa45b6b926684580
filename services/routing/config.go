package main

import (
	"strings"
	"time"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/services/routing/internal/routing"
)

// Config is every setting of the routing service, read once at start.
type Config struct {
	config.Common
	// Workers bounds concurrent handlers (ROUTING_WORKERS).
	Workers int
	// Region is the region of numbers dialled without country code (DEFAULT_REGION).
	Region string
	// CacheTTL is how long branches and catalogues stay cached (BRANCH_CACHE_TTL).
	CacheTTL time.Duration
	// TimeZone resolves dates when no branch is named (DEFAULT_TIME_ZONE).
	TimeZone string
	// Agents routes web calls by Retell agent id (AGENT_BRANCHES:
	// "agent_id=company_id/branch_id,…").
	Agents map[string]routing.BranchRef
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{
		Common:   config.ReadCommon(r, "routing", ":9101"),
		Workers:  r.IntRange("ROUTING_WORKERS", 64, 1, 4096),
		Region:   phone.ReadRegion(r),
		CacheTTL: r.Duration("BRANCH_CACHE_TTL", time.Hour),
		TimeZone: r.String("DEFAULT_TIME_ZONE", "Europe/Berlin"),
		Agents:   map[string]routing.BranchRef{},
	}
	if _, err := time.LoadLocation(cfg.TimeZone); err != nil {
		r.Fail("DEFAULT_TIME_ZONE", "unknown time zone %q", cfg.TimeZone)
	}
	for _, entry := range r.List("AGENT_BRANCHES", nil) {
		agent, ref, ok := parseAgent(entry)
		if !ok {
			r.Fail("AGENT_BRANCHES", "entry %q is not agent_id=company_id/branch_id", entry)
			continue
		}
		cfg.Agents[agent] = ref
	}
	return cfg, r.Err()
}

func parseAgent(entry string) (string, routing.BranchRef, bool) {
	agent, target, ok := strings.Cut(entry, "=")
	company, branch, ok2 := strings.Cut(target, "/")
	if !ok || !ok2 || agent == "" || company == "" || branch == "" {
		return "", routing.BranchRef{}, false
	}
	return strings.TrimSpace(agent), routing.BranchRef{CompanyID: strings.TrimSpace(company), BranchID: strings.TrimSpace(branch)}, true
}
