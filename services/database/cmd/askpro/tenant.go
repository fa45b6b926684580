package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/services/database/internal/database"
)

// apiKeyPrefixLen is how many characters of a key are stored to tell keys apart
// ("ak_live_3f9a"); the rest is only ever in the digest.
const apiKeyPrefixLen = 12

// newAPIKey returns a random tenant API key (256 bits), its SHA-256 digest and its prefix.
func newAPIKey() (key string, digest []byte, prefix string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, "", fmt.Errorf("random api key: %w", err)
	}
	key = "ak_live_" + hex.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(key))
	return key, sum[:], key[:apiKeyPrefixLen], nil
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func (a *app) tenant(ctx context.Context, sub string, args []string) error {
	switch sub {
	case "create":
		return a.tenantCreate(ctx, args)
	case "list":
		return a.tenantList(ctx)
	case "apply":
		fs := newFlags("tenant apply")
		file := fs.String("f", "", "tenant YAML file")
		rotate := fs.Bool("rotate-key", false, "issue a new default API key for an existing tenant and revoke the old one")
		sync := fs.Bool("sync-calcom", false, "then read the services' notice and booking window from Cal.com (needs the calcom service)")
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("tenant apply: %w", err)
		}
		if *file == "" {
			return fmt.Errorf("tenant apply: -f tenant.yaml is required")
		}
		spec, err := loadTenantSpec(*file, a.cfg.Region)
		if err != nil {
			return err
		}
		res, err := a.applyTenant(ctx, spec, *rotate)
		if err != nil {
			return err
		}
		a.printApplied(res)
		if *sync {
			return a.syncCalcom(ctx, []api.Company{res.Company}, defaultSyncTimeout)
		}
		return nil
	case "sync-calcom":
		return a.tenantSyncCalcom(ctx, args)
	case "deactivate":
		return a.tenantSetActive(ctx, args, false)
	case "activate":
		return a.tenantSetActive(ctx, args, true)
	}
	return fmt.Errorf("tenant: unknown subcommand %q (want create, list, apply, sync-calcom, deactivate or activate)", sub)
}

func (a *app) tenantCreate(ctx context.Context, args []string) error {
	fs := newFlags("tenant create")
	name := fs.String("name", "", "company name")
	tz := fs.String("time-zone", "Europe/Berlin", "IANA time zone")
	calKey := fs.String("calcom-api-key", "", "the company's Cal.com API key (stored encrypted)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("tenant create: %w", err)
	}
	if strings.TrimSpace(*name) == "" {
		return fmt.Errorf("tenant create: --name is required")
	}
	if _, err := time.LoadLocation(*tz); err != nil {
		return fmt.Errorf("tenant create: --time-zone %q: %w", *tz, err)
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	// Names identify tenants for `tenant apply` and operators: refuse a second one.
	if found, err := store.CompaniesByName(ctx, *name); err != nil {
		return err
	} else if len(found) > 0 {
		return fmt.Errorf("tenant create: a tenant named %q exists (%s); choose another name or use tenant apply", *name, found[0].ID)
	}
	c, key, err := a.createCompany(ctx, store, *name, *tz, *calKey)
	if err != nil {
		return err
	}
	writef(a.out, "tenant created: %s (%s), time zone %s\n", c.Name, c.ID, c.TimeZone)
	printKey(a.out, key)
	return nil
}

func (a *app) createCompany(ctx context.Context, store *database.Store, name, tz, calKey string) (api.Company, string, error) {
	key, digest, prefix, err := newAPIKey()
	if err != nil {
		return api.Company{}, "", err
	}
	c, err := store.CreateCompany(ctx, database.NewCompany{Name: name, APIKeyDigest: digest,
		APIKeyPrefix: prefix, TimeZone: tz, CalcomAPIKey: calKey})
	if err != nil {
		return api.Company{}, "", err
	}
	return c, key, nil
}

func printKey(out io.Writer, key string) {
	writef(out, "API key (shown once, store it now): %s\n", key)
}

func (a *app) tenantList(ctx context.Context) error {
	store, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	companies, err := store.Companies(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "ID\tNAME\tTIME ZONE\tKEY PREFIX\tCAL.COM KEY\tACTIVE\tBRANCHES")
	for _, c := range companies {
		branches, err := store.Branches(ctx, c.ID)
		if err != nil {
			return err
		}
		writef(tw, "%s\t%s\t%s\t%s…\t%s\t%t\t%d\n", c.ID, c.Name, c.TimeZone, c.APIKeyPrefix,
			yesNo(c.HasCalcomAPIKey), c.Active, len(branches))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	writef(a.out, "%d tenant(s)\n", len(companies))
	return nil
}

func yesNo(b bool) string {
	if b {
		return "set"
	}
	return "-"
}
