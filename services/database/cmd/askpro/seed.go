package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// seedDemo applies the demo tenant, writes calsim's seed and, when the tenant is new or its key
// was rotated, the env file with the API key (so `make run` can show it again later).
func (a *app) seedDemo(ctx context.Context, args []string) error {
	fs := newFlags("seed demo")
	seedPath := fs.String("calsim-seed", "", "write calsim's seed JSON here")
	envFile := fs.String("env-file", "", "write ASKPRO_DEMO_* (API key included) here when a key is issued")
	rotate := fs.Bool("rotate-key", false, "issue a new API key for the existing demo tenant")
	calKey := fs.String("calcom-api-key", DemoCalcomKey, "the demo account's Cal.com key (calsim accepts it)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	spec := demoSpec()
	spec.region = a.cfg.Region
	spec.Calcom.APIKey = *calKey
	if err := spec.normalize(); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	res, err := a.applyTenant(ctx, spec, *rotate)
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	a.printApplied(res)
	if *seedPath != "" {
		seed, err := calsimSeedFor(spec)
		if err != nil {
			return err
		}
		if err := writeJSONFile(*seedPath, seed, 0o644); err != nil {
			return err
		}
		writef(a.out, "calsim seed: %s (%d event types, account user %d)\n", *seedPath, len(seed.EventTypes), spec.Calcom.UserID)
	}
	if *envFile == "" {
		return nil
	}
	if res.Key != "" {
		if err := writeDemoEnv(*envFile, res); err != nil {
			return err
		}
		writef(a.out, "demo env: %s (API key saved there)\n", *envFile)
	} else if _, err := os.Stat(*envFile); err != nil {
		writef(a.out, "demo env: %s missing and the key is shown only once; rerun with --rotate-key for a new one\n", *envFile)
	}
	return nil
}

func writeDemoEnv(path string, res applied) error {
	var b strings.Builder
	b.WriteString("# Written by `askpro seed demo`: the demo tenant of `make run`. Secret: keep out of git.\n")
	writef(&b, "ASKPRO_DEMO_COMPANY_ID=%s\n", res.Company.ID)
	writef(&b, "ASKPRO_DEMO_API_KEY=%s\n", res.Key)
	for i, br := range res.Branches {
		writef(&b, "ASKPRO_DEMO_PHONE_%d=%s\n", i+1, br.PhoneNumber)
	}
	return writeFileAtomic(path, []byte(b.String()), 0o600)
}
