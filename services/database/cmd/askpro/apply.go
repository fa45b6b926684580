package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/services/database/internal/database"
)

// applied is what applying a TenantSpec did.
type applied struct {
	Company api.Company
	// Key is the new API key, set only when the tenant was created or its key rotated.
	Key        string
	Created    bool
	Branches   []api.Branch
	EventTypes []api.EventType
	Staff      []api.Staff
	// Changed counts records created or updated; Unchanged those already as specified.
	Changed, Unchanged int
}

// applyTenant creates the tenant if no tenant has its name, then brings branches, services and
// staff to what the spec says. Records the spec does not name are left as they are.
func (a *app) applyTenant(ctx context.Context, s TenantSpec, rotate bool) (applied, error) {
	store, err := a.openStore(ctx)
	if err != nil {
		return applied{}, err
	}
	res, err := a.ensureCompany(ctx, store, s, rotate)
	if err != nil {
		return applied{}, err
	}
	if res.Company.MinimumNoticeMinutes != s.Booking.MinimumNoticeMinutes || res.Company.BookingHorizonDays != s.Booking.HorizonDays {
		if err := store.SetCompanyBookingDefaults(ctx, res.Company.ID, s.Booking.MinimumNoticeMinutes, s.Booking.HorizonDays); err != nil {
			return res, err
		}
		res.Company.MinimumNoticeMinutes, res.Company.BookingHorizonDays = s.Booking.MinimumNoticeMinutes, s.Booking.HorizonDays
		res.Changed++
	}
	changed, err := store.SetCompanyCallRetention(ctx, res.Company.ID, s.Retention.CallDays)
	if err != nil {
		return res, err
	}
	if changed {
		res.Changed++
	}
	branchIDs, err := a.applyBranches(ctx, store, s, &res)
	if err != nil {
		return res, err
	}
	eventIDs, err := a.applyServices(ctx, store, s, branchIDs, &res)
	if err != nil {
		return res, err
	}
	return res, a.applyStaff(ctx, store, s, branchIDs, eventIDs, &res)
}

func (a *app) ensureCompany(ctx context.Context, store *database.Store, s TenantSpec, rotate bool) (applied, error) {
	found, err := store.CompaniesByName(ctx, s.Name)
	if err != nil {
		return applied{}, err
	}
	switch len(found) {
	case 0:
		c, key, err := a.createCompany(ctx, store, s.Name, s.TimeZone, s.Calcom.APIKey)
		if err != nil {
			return applied{}, err
		}
		return applied{Company: c, Key: key, Created: true, Changed: 1}, nil
	case 1:
	default:
		return applied{}, fmt.Errorf("%d tenants are named %q; rename one first", len(found), s.Name)
	}
	res := applied{Company: found[0], Unchanged: 1}
	c := found[0]
	if c.TimeZone != s.TimeZone {
		if err := store.SetCompanyTimeZone(ctx, c.ID, s.TimeZone); err != nil {
			return res, err
		}
		res.Company.TimeZone, res.Changed, res.Unchanged = s.TimeZone, 1, 0
	}
	if s.Calcom.APIKey != "" {
		current, err := store.CalcomAPIKey(ctx, c.ID)
		if err != nil || current != s.Calcom.APIKey {
			if err := store.SetCompanyCalcomKey(ctx, c.ID, s.Calcom.APIKey); err != nil {
				return res, err
			}
			res.Company.HasCalcomAPIKey, res.Changed, res.Unchanged = true, 1, 0
		}
	}
	if rotate {
		key, digest, prefix, err := newAPIKey()
		if err != nil {
			return res, err
		}
		if res.Company, err = store.RotateAPIKey(ctx, c.ID, digest, prefix); err != nil {
			return res, err
		}
		res.Key = key
	}
	return res, nil
}

// applyBranches upserts each branch, matched by phone number, then by name; it returns the
// branch ids by name.
func (a *app) applyBranches(ctx context.Context, store *database.Store, s TenantSpec, res *applied) (map[string]string, error) {
	existing, err := store.Branches(ctx, res.Company.ID)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, bs := range s.Branches {
		want := api.Branch{CompanyID: res.Company.ID, Name: bs.Name, PhoneNumber: bs.Phone, TimeZone: bs.TimeZone,
			OpeningHours: bs.openingHours(), Address: bs.Address, Active: true, State: bs.State,
			ClosingDays: bs.closingDays(), OpenOnHolidays: bs.OpenOnHolidays}
		var have *api.Branch
		for i := range existing {
			if existing[i].PhoneNumber == bs.Phone || (have == nil && existing[i].Name == bs.Name) {
				have = &existing[i]
			}
		}
		if have != nil {
			want.ID = have.ID
			if sameBranch(*have, want) {
				ids[bs.Name] = have.ID
				res.Branches = append(res.Branches, *have)
				res.Unchanged++
				continue
			}
		}
		b, err := store.UpsertBranch(ctx, want)
		if err != nil {
			return nil, fmt.Errorf("branch %q: %w", bs.Name, err)
		}
		ids[bs.Name] = b.ID
		res.Branches = append(res.Branches, b)
		res.Changed++
	}
	return ids, nil
}

func sameBranch(have, want api.Branch) bool {
	return have.Name == want.Name && have.PhoneNumber == want.PhoneNumber && have.TimeZone == want.TimeZone &&
		have.Address == want.Address && have.Active && reflect.DeepEqual(have.OpeningHours, want.OpeningHours) &&
		have.State == want.State && slices.Equal(have.ClosingDays, want.ClosingDays) &&
		slices.Equal(have.OpenOnHolidays, want.OpenOnHolidays)
}

// closingDays converts the YAML closing days into the stored ones, in the order they are listed.
func (b BranchSpec) closingDays() []api.ClosingDays {
	var out []api.ClosingDays
	for _, c := range b.ClosingDays {
		out = append(out, api.ClosingDays{From: c.From, To: c.To, Label: c.Label})
	}
	slices.SortFunc(out, func(x, y api.ClosingDays) int {
		return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To), cmp.Compare(x.Label, y.Label))
	})
	return out
}

// applyServices upserts the event types by Cal.com id; it returns their ids by service name.
func (a *app) applyServices(ctx context.Context, store *database.Store, s TenantSpec, branchIDs map[string]string, res *applied) (map[string]string, error) {
	existing, err := store.EventTypes(ctx, res.Company.ID, "")
	if err != nil {
		return nil, err
	}
	byCalID := map[int64]api.EventType{}
	for _, e := range existing {
		byCalID[e.CalcomEventTypeID] = e
	}
	ids := map[string]string{}
	for _, ss := range s.Services {
		want := api.EventType{CompanyID: res.Company.ID, BranchID: branchIDs[ss.Branch],
			CalcomEventTypeID: ss.CalcomEventTypeID, Name: ss.Name, Aliases: ss.Aliases,
			DurationMinutes: ss.DurationMinutes, PriceCents: ss.PriceCents, Currency: ss.Currency, Active: true,
			MinimumNoticeMinutes: ss.MinimumNoticeMinutes, BookingHorizonDays: ss.BookingHorizonDays}
		if have, ok := byCalID[ss.CalcomEventTypeID]; ok && sameEventType(have, want) {
			ids[ss.Name] = have.ID
			res.EventTypes = append(res.EventTypes, have)
			res.Unchanged++
			continue
		}
		e, err := store.UpsertEventType(ctx, want)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", ss.Name, err)
		}
		ids[ss.Name] = e.ID
		res.EventTypes = append(res.EventTypes, e)
		res.Changed++
	}
	return ids, nil
}

func sameEventType(have, want api.EventType) bool {
	samePrice := (have.PriceCents == nil) == (want.PriceCents == nil) &&
		(have.PriceCents == nil || *have.PriceCents == *want.PriceCents)
	return have.Name == want.Name && have.BranchID == want.BranchID && slices.Equal(have.Aliases, want.Aliases) &&
		have.DurationMinutes == want.DurationMinutes && samePrice && have.Currency == want.Currency && have.Active &&
		sameOptional(have.MinimumNoticeMinutes, want.MinimumNoticeMinutes) &&
		sameOptional(have.BookingHorizonDays, want.BookingHorizonDays)
}

func sameOptional(a, b *int) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func sameTimeOff(a, b []api.TimeOff) bool {
	return slices.EqualFunc(a, b, func(x, y api.TimeOff) bool {
		return x.From.Equal(y.From) && x.To.Equal(y.To) && x.Reason == y.Reason
	})
}

// applyStaff upserts staff members, matched by name within the tenant.
func (a *app) applyStaff(ctx context.Context, store *database.Store, s TenantSpec, branchIDs, eventIDs map[string]string, res *applied) error {
	existing, err := store.StaffList(ctx, res.Company.ID, "")
	if err != nil {
		return err
	}
	zones := map[string]*time.Location{}
	for _, b := range s.Branches {
		loc, err := time.LoadLocation(b.TimeZone)
		if err != nil {
			return fmt.Errorf("branch %q: %w", b.Name, err)
		}
		zones[b.Name] = loc
	}
	for _, ss := range s.Staff {
		names := ss.offers(s)
		events := make([]string, 0, len(names))
		for _, n := range names {
			events = append(events, eventIDs[n])
		}
		slices.Sort(events)
		var own map[string]int64 // nil when none, as the database lists it
		if len(ss.CalcomEventTypes) > 0 {
			own = make(map[string]int64, len(ss.CalcomEventTypes))
			for name, id := range ss.CalcomEventTypes {
				own[eventIDs[name]] = id
			}
		}
		want := api.Staff{CompanyID: res.Company.ID, BranchID: branchIDs[ss.Branch], Name: ss.Name,
			Aliases: ss.Aliases, CalcomUserID: ss.CalcomUserID, EventTypeIDs: events, CalcomEventTypes: own, Active: true,
			WorkingHours: ss.workingHours(branchIDs), TimeOff: ss.timeOff(zones[ss.Branch])}
		slices.SortFunc(want.TimeOff, func(x, y api.TimeOff) int {
			return cmp.Or(x.From.Compare(y.From), x.To.Compare(y.To))
		})
		if i := slices.IndexFunc(existing, func(st api.Staff) bool { return st.Name == ss.Name }); i >= 0 {
			have := existing[i]
			want.ID = have.ID
			haveEvents := slices.Sorted(slices.Values(have.EventTypeIDs))
			if have.BranchID == want.BranchID && slices.Equal(have.Aliases, want.Aliases) &&
				have.CalcomUserID == want.CalcomUserID && slices.Equal(haveEvents, events) &&
				maps.Equal(have.CalcomEventTypes, want.CalcomEventTypes) &&
				reflect.DeepEqual(have.WorkingHours, want.WorkingHours) && sameTimeOff(have.TimeOff, want.TimeOff) {
				res.Staff = append(res.Staff, have)
				res.Unchanged++
				continue
			}
		}
		st, err := store.UpsertStaff(ctx, want)
		if err != nil {
			return fmt.Errorf("staff %q: %w", ss.Name, err)
		}
		res.Staff = append(res.Staff, st)
		res.Changed++
	}
	return nil
}

// printApplied reports the tenant and its catalogue; the API key only when it is new.
func (a *app) printApplied(res applied) {
	verb := "tenant exists"
	if res.Created {
		verb = "tenant created"
	}
	writef(a.out, "%s: %s (%s), time zone %s, key prefix %s…\n", verb, res.Company.Name,
		res.Company.ID, res.Company.TimeZone, res.Company.APIKeyPrefix)
	for _, b := range res.Branches {
		writef(a.out, "  branch   %-28s %s  %s\n", b.Name, b.PhoneNumber, b.ID)
	}
	for _, st := range res.Staff {
		writef(a.out, "  staff    %-28s cal.com user %d, %d services\n", st.Name, st.CalcomUserID, len(st.EventTypeIDs))
	}
	for _, e := range res.EventTypes {
		writef(a.out, "  service  %-28s %3d min  %s  cal.com event type %d  aliases: %v\n", e.Name,
			e.DurationMinutes, price(e.PriceCents, e.Currency), e.CalcomEventTypeID, e.Aliases)
	}
	writef(a.out, "  %d record(s) created or updated, %d unchanged\n", res.Changed, res.Unchanged)
	if res.Key != "" {
		printKey(a.out, res.Key)
	}
}

func price(cents *int64, currency string) string {
	if cents == nil {
		return "     -"
	}
	return fmt.Sprintf("%3d,%02d %s", *cents/100, *cents%100, currency)
}
