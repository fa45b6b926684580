package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/services/database/internal/database"
)

// `askpro customers merge-duplicates` repairs what the old phone rule left behind: customers of
// one tenant whose stored numbers pkg/phone reads as the same E.164 number are merged into the
// oldest, and a customer stored under a number in another form gets its normalised form (else
// its next call would not find it and would create a new customer). Each group is its own
// transaction with its own audit entry (database.Store.MergeCustomers), so an interrupted run
// leaves finished groups done and the rest untouched, and running it again continues. Tenants
// are never mixed: a tenant's customers are read and merged by its company id alone.
//
// Numbers are printed masked; the operator gets ids to look customers up.

func (a *app) customers(ctx context.Context, sub string, args []string) error {
	if sub != "merge-duplicates" {
		return fmt.Errorf("customers: unknown subcommand %q (want: customers merge-duplicates)", sub)
	}
	fs := newFlags("customers merge-duplicates")
	dryRun := fs.Bool("dry-run", false, "print what would be merged and change nothing")
	company := fs.String("company", "", "only this tenant (id, name or slug of the name)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("customers merge-duplicates: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("customers merge-duplicates: unexpected argument %q", fs.Arg(0))
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	companies, err := selectCompanies(ctx, store, "customers merge-duplicates", *company)
	if err != nil {
		return err
	}
	var sum mergeSummary
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "COMPANY\tPHONE\tKEEP\tMERGED\tAPPOINTMENTS\tCALLS\tRESULT")
	for _, c := range companies {
		if err := a.mergeCompany(ctx, store, c, *dryRun, tw, &sum); err != nil {
			return err
		}
	}
	if sum.groups > 0 {
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	sum.print(a, *dryRun, len(companies))
	if sum.failed > 0 {
		return fmt.Errorf("customers merge-duplicates: %d group(s) failed and were left unchanged; run it again", sum.failed)
	}
	return nil
}

type mergeSummary struct {
	groups, merged, rekeyed, failed int
	appointments, calls             int64
	unnormalizable                  []string // "company: id"
	branches                        []string // branches stored under a number in another form
}

func (a *app) mergeCompany(ctx context.Context, store *database.Store, c api.Company, dryRun bool, tw *tabwriter.Writer, sum *mergeSummary) error {
	plan, err := store.PlanCustomerMerges(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("plan merges of %s: %w", c.Name, err)
	}
	for _, id := range plan.Unnormalizable {
		sum.unnormalizable = append(sum.unnormalizable, c.Name+": "+id)
	}
	if err := branchesToRenormalize(ctx, store, c, sum); err != nil {
		return err
	}
	for _, m := range plan.Merges {
		sum.groups++
		row := []string{c.Name, logging.Phone(m.Phone), m.KeepID, orDash(strings.Join(m.MergeIDs, ",")), "-", "-"}
		switch {
		case dryRun && len(m.MergeIDs) == 0:
			row = append(row, "would store the normalised number")
		case dryRun:
			row = append(row, fmt.Sprintf("would merge %d", len(m.MergeIDs)))
		default:
			res, err := store.MergeCustomers(ctx, m)
			if err != nil {
				sum.failed++
				row = append(row, "FAILED: "+err.Error())
				break
			}
			sum.merged += len(res.MergeIDs)
			sum.appointments += res.Appointments
			sum.calls += res.Calls
			row[4], row[5] = fmt.Sprint(res.Appointments), fmt.Sprint(res.Calls)
			if res.Rekeyed {
				sum.rekeyed++
			}
			row = append(row, mergeVerb(res))
		}
		writeln(tw, strings.Join(row, "\t"))
	}
	return nil
}

func mergeVerb(res database.CustomerMergeResult) string {
	switch {
	case len(res.MergeIDs) == 0:
		return "normalised number stored"
	case res.Rekeyed:
		return fmt.Sprintf("merged %d, normalised number stored", len(res.MergeIDs))
	}
	return fmt.Sprintf("merged %d", len(res.MergeIDs))
}

// branchesToRenormalize notes branches whose stored number is not in its normalised form:
// branches.byPhone looks numbers up normalised, so such a branch is not found. `tenant apply`
// stores them normalised.
func branchesToRenormalize(ctx context.Context, store *database.Store, c api.Company, sum *mergeSummary) error {
	branches, err := store.Branches(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("branches of %s: %w", c.Name, err)
	}
	for _, b := range branches {
		if e164, err := store.NormalizePhone(b.PhoneNumber); err != nil || e164 != b.PhoneNumber {
			sum.branches = append(sum.branches, c.Name+": "+b.Name+" ("+b.ID+")")
		}
	}
	return nil
}

func (s *mergeSummary) print(a *app, dryRun bool, tenants int) {
	switch {
	case s.groups == 0:
		writef(a.out, "no customers to merge in %d tenant(s)\n", tenants)
	case dryRun:
		writef(a.out, "dry run: %d group(s) in %d tenant(s) would change; nothing was changed\n", s.groups, tenants)
	default:
		writef(a.out, "%d customer(s) merged, %d number(s) normalised, %d appointment(s) and %d call(s) moved, %d group(s) failed\n",
			s.merged, s.rekeyed, s.appointments, s.calls, s.failed)
	}
	if len(s.unnormalizable) > 0 {
		writef(a.out, "%d customer(s) have a stored number pkg/phone refuses; left alone: %s\n",
			len(s.unnormalizable), strings.Join(s.unnormalizable, "; "))
	}
	if len(s.branches) > 0 {
		writef(a.out, "%d branch(es) are stored under a number in another form and are not found by it; run askpro tenant apply: %s\n",
			len(s.branches), strings.Join(s.branches, "; "))
	}
}
