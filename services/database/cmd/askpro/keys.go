package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/services/database/internal/database"
)

// API keys and tenant state (issue 26). Each change is audited by the database store and
// published as auth.changed, on which every gateway replica drops or admits the keys at once.

func (a *app) key(ctx context.Context, sub string, args []string) error {
	switch sub {
	case "create":
		return a.keyCreate(ctx, args)
	case "list":
		return a.keyList(ctx, args)
	case "revoke":
		return a.keyRevoke(ctx, args)
	}
	return fmt.Errorf("key: unknown subcommand %q (want create, list or revoke)", sub)
}

// oneCompany resolves --company to exactly one tenant.
func (a *app) oneCompany(ctx context.Context, cmd, sel string) (*database.Store, api.Company, error) {
	if strings.TrimSpace(sel) == "" {
		return nil, api.Company{}, fmt.Errorf("%s: --company ID|NAME|SLUG is required", cmd)
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return nil, api.Company{}, err
	}
	found, err := selectCompanies(ctx, store, cmd, sel)
	if err != nil {
		return nil, api.Company{}, err
	}
	return store, found[0], nil
}

func (a *app) keyCreate(ctx context.Context, args []string) error {
	fs := newFlags("key create")
	company := fs.String("company", "", "the tenant: id, name or slug")
	name := fs.String("name", "", "the key's name, unique among the tenant's live keys")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return fmt.Errorf("key create: --name is required")
	}
	store, c, err := a.oneCompany(ctx, "key create", *company)
	if err != nil {
		return err
	}
	key, digest, prefix, err := newAPIKey()
	if err != nil {
		return err
	}
	k, err := store.CreateAPIKey(ctx, c.ID, *name, digest, prefix)
	if err != nil {
		return fmt.Errorf("key create: %w", err)
	}
	writef(a.out, "key created: %s (%s…) for %s (%s)\n", k.Name, k.Prefix, c.Name, c.ID)
	printKey(a.out, key)
	return nil
}

func (a *app) keyList(ctx context.Context, args []string) error {
	fs := newFlags("key list")
	company := fs.String("company", "", "the tenant: id, name or slug")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	store, c, err := a.oneCompany(ctx, "key list", *company)
	if err != nil {
		return err
	}
	keys, err := store.APIKeys(ctx, c.ID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "ID\tNAME\tPREFIX\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		writef(tw, "%s\t%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, k.CreatedAt.UTC().Format(time.RFC3339),
			timeOrDash(k.LastUsedAt), timeOrDash(k.RevokedAt))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	writef(a.out, "%d key(s) of %s; active: %t\n", len(keys), c.Name, c.Active)
	return nil
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func (a *app) keyRevoke(ctx context.Context, args []string) error {
	fs := newFlags("key revoke")
	company := fs.String("company", "", "the tenant: id, name or slug")
	name := fs.String("name", "", "the live key of this name")
	prefix := fs.String("prefix", "", "the live key of this prefix (as key list shows it, without …)")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	if (*name == "") == (*prefix == "") {
		return fmt.Errorf("key revoke: give either --name or --prefix")
	}
	store, c, err := a.oneCompany(ctx, "key revoke", *company)
	if err != nil {
		return err
	}
	k, err := store.RevokeAPIKey(ctx, c.ID, database.KeySelector{Name: *name, Prefix: strings.TrimSuffix(*prefix, "…")})
	if err != nil {
		return fmt.Errorf("key revoke: %w", err)
	}
	writef(a.out, "key revoked: %s (%s…) of %s; every gateway refuses it within a second\n", k.Name, k.Prefix, c.Name)
	return nil
}

// tenantSetActive is `tenant deactivate|activate --company SEL`.
func (a *app) tenantSetActive(ctx context.Context, args []string, active bool) error {
	cmd := "tenant deactivate"
	if active {
		cmd = "tenant activate"
	}
	fs := newFlags(cmd)
	company := fs.String("company", "", "the tenant: id, name or slug")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	store, c, err := a.oneCompany(ctx, cmd, *company)
	if err != nil {
		return err
	}
	changed, err := store.SetCompanyActive(ctx, c.ID, active)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	switch {
	case !changed:
		writef(a.out, "%s (%s) is already %s; nothing changed\n", c.Name, c.ID, activeWord(active))
	case active:
		writef(a.out, "tenant activated: %s (%s); its live keys work again\n", c.Name, c.ID)
	default:
		writef(a.out, "tenant deactivated: %s (%s); every gateway refuses its keys within a second\n", c.Name, c.ID)
	}
	return nil
}

func activeWord(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}
