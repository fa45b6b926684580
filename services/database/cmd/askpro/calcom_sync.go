package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/askproai/backend/pkg/api/calcom"
	api "github.com/askproai/backend/pkg/api/database"
)

// defaultSyncTimeout bounds one tenant's calcom.syncEventTypeLimits: one Cal.com request per
// service, each retried, under the calcom service's shared rate limit.
const defaultSyncTimeout = 2 * time.Minute

// tenantSyncCalcom is `askpro tenant sync-calcom [--company SEL] [--timeout D]`: every tenant
// with a Cal.com key (or the one named) has the calcom service read its services' minimum
// notice and booking window from Cal.com and store them (calcom.syncEventTypeLimits).
func (a *app) tenantSyncCalcom(ctx context.Context, args []string) error {
	fs := newFlags("tenant sync-calcom")
	sel := fs.String("company", "", "only this tenant (id, name or slug of the name)")
	timeout := fs.Duration("timeout", defaultSyncTimeout, "how long to wait for the calcom service, per tenant")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("tenant sync-calcom: %w", err)
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	companies, err := selectCompanies(ctx, store, "tenant sync-calcom", *sel)
	if err != nil {
		return err
	}
	var withKey []api.Company
	for _, c := range companies {
		if c.HasCalcomAPIKey && c.Active {
			withKey = append(withKey, c)
		} else if *sel != "" {
			return fmt.Errorf("tenant sync-calcom: %s has no Cal.com API key or is inactive", c.Name)
		}
	}
	return a.syncCalcom(ctx, withKey, *timeout)
}

// syncCalcom asks the calcom service to sync each company's event-type limits and prints them.
func (a *app) syncCalcom(ctx context.Context, companies []api.Company, timeout time.Duration) error {
	bus, err := a.busClient(ctx)
	if err != nil {
		return err
	}
	for _, c := range companies {
		var res calcom.SyncEventTypeLimitsResult
		callCtx, cancel := context.WithTimeout(ctx, timeout)
		err := bus.Call(callCtx, calcom.Service, calcom.MethodSyncEventTypeLimits,
			calcom.SyncEventTypeLimitsParams{CompanyID: c.ID}, &res)
		cancel()
		if err != nil {
			return fmt.Errorf("tenant sync-calcom %s: %w (is the calcom service running?)", c.Name, err)
		}
		a.printLimits(c, res)
	}
	return nil
}

func (a *app) printLimits(c api.Company, res calcom.SyncEventTypeLimitsResult) {
	writef(a.out, "cal.com limits of %s (%s)\n", c.Name, c.ID)
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "  SERVICE\tCAL.COM ID\tNOTICE\tHORIZON\tWINDOW")
	for _, et := range res.EventTypes {
		if et.Error != "" {
			writef(tw, "  %s\t%d\t-\t-\t%s\n", et.Name, et.CalcomEventTypeID, et.Error)
			continue
		}
		writef(tw, "  %s\t%d\t%s\t%s\t%s\n", et.Name, et.CalcomEventTypeID,
			orUnset(et.MinimumNoticeMinutes, " min"), orUnset(et.BookingHorizonDays, " days"), orDash(et.WindowType))
	}
	_ = tw.Flush()
}

// orUnset prints a Cal.com value or says that the tenant's value applies.
func orUnset(v *int, unit string) string {
	if v == nil {
		return "not set (tenant's)"
	}
	return fmt.Sprintf("%d%s", *v, unit)
}
