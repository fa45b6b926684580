package main

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/services/database/internal/database"
)

// TenantSpec is a tenant.yaml: a company with its branches, services (Cal.com event types)
// and staff. Applying it twice changes nothing the second time.
type TenantSpec struct {
	Name     string        `yaml:"name" json:"name"`
	TimeZone string        `yaml:"time_zone" json:"time_zone"`
	Calcom   CalcomSpec    `yaml:"calcom" json:"calcom"`
	Branches []BranchSpec  `yaml:"branches" json:"branches"`
	Services []ServiceSpec `yaml:"services" json:"services"`
	Staff    []StaffSpec   `yaml:"staff" json:"staff"`
	// Booking holds the tenant's defaults for services that set neither (0: the system
	// defaults, 120 minutes and 90 days).
	Booking BookingSpec `yaml:"booking" json:"booking"`
	// Retention is how long the tenant's data is kept (`askpro maintenance rotate` applies it).
	Retention RetentionSpec `yaml:"retention" json:"retention"`
	// region reads branch numbers written without country code (DEFAULT_REGION; "" is
	// phone.DefaultRegion).
	region string
}

// RetentionSpec: CallDays is how many days calls (transcripts, the caller's number) are kept
// after they started; 0 or absent keeps them.
type RetentionSpec struct {
	CallDays int `yaml:"call_days" json:"call_days"`
}

// BookingSpec is how close to its start (minutes) and how far ahead (days) a slot can be booked.
type BookingSpec struct {
	MinimumNoticeMinutes int `yaml:"minimum_notice_minutes" json:"minimum_notice_minutes"`
	HorizonDays          int `yaml:"horizon_days" json:"horizon_days"`
}

// ClosingDaysSpec closes a branch from From through To (YYYY-MM-DD, inclusive), or on Date.
type ClosingDaysSpec struct {
	From  string `yaml:"from" json:"from,omitempty"`
	To    string `yaml:"to" json:"to,omitempty"`
	Date  string `yaml:"date" json:"date,omitempty"`
	Label string `yaml:"label" json:"label,omitempty"`
}

// TimeOffSpec is an absence: whole local days From through To (YYYY-MM-DD, inclusive, in the
// staff member's branch's zone), or RFC 3339 instants [From, To).
type TimeOffSpec struct {
	From   string `yaml:"from" json:"from"`
	To     string `yaml:"to" json:"to"`
	Reason string `yaml:"reason" json:"reason,omitempty"`
}

// HoursSpec is a staff member's working hours: a weekly map (mon…sun to "HH:MM-HH:MM") at
// their own branch, or such maps keyed by branch name. ByBranch holds both, "" standing for
// the staff member's own branch.
type HoursSpec struct {
	ByBranch map[string]map[string][]string
}

// UnmarshalYAML tells the two forms apart: a weekday key maps to a list, a branch name to a map.
func (h *HoursSpec) UnmarshalYAML(n *yaml.Node) error {
	var raw map[string]yaml.Node
	if err := n.Decode(&raw); err != nil {
		return err
	}
	h.ByBranch = map[string]map[string][]string{}
	for key, v := range raw {
		switch v.Kind {
		case yaml.SequenceNode:
			var ranges []string
			if err := v.Decode(&ranges); err != nil {
				return err
			}
			if h.ByBranch[""] == nil {
				h.ByBranch[""] = map[string][]string{}
			}
			h.ByBranch[""][key] = ranges
		case yaml.MappingNode:
			var week map[string][]string
			if err := v.Decode(&week); err != nil {
				return err
			}
			h.ByBranch[key] = week
		default:
			return fmt.Errorf("line %d: hours: %q is neither a weekday with a list of HH:MM-HH:MM nor a branch with a weekly map", v.Line, key)
		}
	}
	return nil
}

// CalcomSpec is the company's Cal.com account. APIKey is stored encrypted; UserID and Username
// name the account owner, who owns the event types (calsim's seed is made from them).
type CalcomSpec struct {
	APIKey   string `yaml:"api_key" json:"api_key"`
	UserID   int64  `yaml:"user_id" json:"user_id"`
	Username string `yaml:"username" json:"username"`
	Email    string `yaml:"email" json:"email"`
}

// BranchSpec is a location, found again by its phone number (E.164, unique across tenants).
type BranchSpec struct {
	Name     string `yaml:"name" json:"name"`
	Phone    string `yaml:"phone" json:"phone"`
	TimeZone string `yaml:"time_zone" json:"time_zone"`
	Address  string `yaml:"address" json:"address"`
	// OpeningHours maps mon…sun to "HH:MM-HH:MM" intervals.
	OpeningHours map[string][]string `yaml:"opening_hours" json:"opening_hours"`
	// State is the Bundesland whose public holidays close the branch: "BE" or "DE-BE".
	State          string            `yaml:"state" json:"state,omitempty"`
	ClosingDays    []ClosingDaysSpec `yaml:"closing_days" json:"closing_days,omitempty"`
	OpenOnHolidays []string          `yaml:"open_on_holidays" json:"open_on_holidays,omitempty"`
}

// ServiceSpec is a bookable service, found again by its Cal.com event type id.
type ServiceSpec struct {
	Name              string   `yaml:"name" json:"name"`
	Aliases           []string `yaml:"aliases" json:"aliases"`
	DurationMinutes   int      `yaml:"duration_minutes" json:"duration_minutes"`
	PriceCents        *int64   `yaml:"price_cents" json:"price_cents,omitempty"`
	Currency          string   `yaml:"currency" json:"currency"`
	CalcomEventTypeID int64    `yaml:"calcom_event_type_id" json:"calcom_event_type_id"`
	// Branch limits the service to one branch (by name); empty offers it everywhere.
	Branch string `yaml:"branch" json:"branch,omitempty"`
	// MinimumNoticeMinutes and BookingHorizonDays override the tenant's booking defaults.
	MinimumNoticeMinutes *int `yaml:"minimum_notice_minutes" json:"minimum_notice_minutes,omitempty"`
	BookingHorizonDays   *int `yaml:"booking_horizon_days" json:"booking_horizon_days,omitempty"`
}

// StaffSpec is a bookable person of one branch, found again by name within the tenant.
type StaffSpec struct {
	Name         string   `yaml:"name" json:"name"`
	Branch       string   `yaml:"branch" json:"branch"`
	Aliases      []string `yaml:"aliases" json:"aliases"`
	CalcomUserID int64    `yaml:"calcom_user_id" json:"calcom_user_id"`
	// Services names what they offer (service names); empty means every service.
	Services []string `yaml:"services" json:"services"`
	// CalcomEventTypes names, per offered service, the staff member's own Cal.com event type of
	// it (hosted by their Cal.com user), through which they are booked; a service missing here
	// is booked through the service's calcom_event_type_id. Without their own event types,
	// colleagues share the service's host in Cal.com and cannot be booked at the same time.
	CalcomEventTypes map[string]int64 `yaml:"calcom_event_types" json:"calcom_event_types"`
	// Hours are when they work, at their own branch or by branch name; a branch without hours
	// here means the branch's opening hours.
	Hours   HoursSpec     `yaml:"hours" json:"-"`
	TimeOff []TimeOffSpec `yaml:"time_off" json:"time_off,omitempty"`
}

// offers lists the services the staff member offers: Services, or every service of s.
func (st StaffSpec) offers(s TenantSpec) []string {
	if len(st.Services) > 0 {
		return st.Services
	}
	names := make([]string, 0, len(s.Services))
	for _, e := range s.Services {
		names = append(names, e.Name)
	}
	return names
}

var weekdayKeys = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

var clockRange = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$`)

func loadTenantSpec(path, region string) (TenantSpec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return TenantSpec{}, fmt.Errorf("read %s: %w", path, err)
	}
	s := TenantSpec{region: region}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return TenantSpec{}, fmt.Errorf("decode %s: %w", path, err)
	}
	if err := s.normalize(); err != nil {
		return TenantSpec{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// normalize fills defaults, lower-cases aliases, puts phone numbers in E.164 and reports every
// problem at once.
func (s *TenantSpec) normalize() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(s.Name) == "" {
		fail("name is required")
	}
	if s.TimeZone == "" {
		s.TimeZone = "Europe/Berlin"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		fail("time_zone %q: %v", s.TimeZone, err)
	}
	if s.Booking.MinimumNoticeMinutes < 0 {
		fail("booking.minimum_notice_minutes: %d is negative", s.Booking.MinimumNoticeMinutes)
	}
	if s.Booking.HorizonDays < 0 {
		fail("booking.horizon_days: %d is negative", s.Booking.HorizonDays)
	}
	if s.Retention.CallDays < 0 || s.Retention.CallDays > 36500 {
		fail("retention.call_days: %d is not between 0 (keep) and 36500", s.Retention.CallDays)
	}
	branches := s.normalizeBranches(fail)
	services := s.normalizeServices(branches, fail)
	s.normalizeStaff(branches, services, fail)
	return errors.Join(errs...)
}

type failFunc func(format string, args ...any)

func (s *TenantSpec) normalizeBranches(fail failFunc) map[string]bool {
	names := map[string]bool{}
	for i := range s.Branches {
		b := &s.Branches[i]
		if b.Name == "" || names[b.Name] {
			fail("branch %d: a unique name is required", i+1)
		}
		names[b.Name] = true
		e164, err := phone.Normalize(b.Phone, cmp.Or(s.region, phone.DefaultRegion))
		if err != nil {
			fail("branch %q: phone: %v", b.Name, err)
		}
		b.Phone = e164
		if b.TimeZone == "" {
			b.TimeZone = s.TimeZone
		}
		if _, err := time.LoadLocation(b.TimeZone); err != nil {
			fail("branch %q: time_zone %q: %v", b.Name, b.TimeZone, err)
		}
		if !hasHours(b.OpeningHours) {
			// Booking treats a branch without hours as closed: nothing could be booked there.
			fail("branches[%d].opening_hours: branch %q has no opening hours; a branch without hours is closed, so give at least one day (mon: [\"09:00-18:00\"])", i, b.Name)
		}
		checkHours(fmt.Sprintf("branches[%d].opening_hours", i), b.OpeningHours, fail)
		b.normalizeRules(fmt.Sprintf("branches[%d]", i), fail)
	}
	return names
}

// normalizeRules puts the state in ISO 3166-2 form and checks closing days and holidays.
func (b *BranchSpec) normalizeRules(path string, fail failFunc) {
	if b.State != "" {
		code := strings.ToUpper(strings.TrimSpace(b.State))
		if !strings.HasPrefix(code, "DE-") {
			code = "DE-" + code
		}
		if !slices.Contains(database.GermanStates, code) {
			fail("%s.state: %q is not a Bundesland (BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH)", path, b.State)
		}
		b.State = code
	}
	for j := range b.ClosingDays {
		c := &b.ClosingDays[j]
		p := fmt.Sprintf("%s.closing_days[%d]", path, j)
		if c.Date != "" {
			if c.From != "" || c.To != "" {
				fail("%s: either date or from/to", p)
				continue
			}
			c.From, c.To = c.Date, c.Date
		}
		from, errFrom := time.Parse(time.DateOnly, c.From)
		to, errTo := time.Parse(time.DateOnly, c.To)
		switch {
		case errFrom != nil:
			fail("%s.from: %q is not a date (YYYY-MM-DD)", p, c.From)
		case errTo != nil:
			fail("%s.to: %q is not a date (YYYY-MM-DD)", p, c.To)
		case to.Before(from):
			fail("%s: %s-%s ends before it starts", p, c.From, c.To)
		}
	}
	for j, d := range b.OpenOnHolidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			fail("%s.open_on_holidays[%d]: %q is not a date (YYYY-MM-DD)", path, j, d)
		}
	}
	slices.Sort(b.OpenOnHolidays) // as the database lists them
	b.OpenOnHolidays = slices.Compact(b.OpenOnHolidays)
}

// hasHours reports whether a weekly map opens on at least one day.
func hasHours(week map[string][]string) bool {
	for _, ranges := range week {
		if len(ranges) > 0 {
			return true
		}
	}
	return false
}

// checkHours checks a weekly map: known weekdays, HH:MM-HH:MM ranges that end after they start
// and do not overlap on one day.
func checkHours(path string, week map[string][]string, fail failFunc) {
	for _, day := range slices.Sorted(maps.Keys(week)) {
		if !contains(weekdayKeys, day) {
			fail("%s.%s: %q is not one of mon…sun", path, day, day)
			continue
		}
		type span struct {
			from, to string
			i        int
		}
		var ok []span
		for i, r := range week[day] {
			p := fmt.Sprintf("%s.%s[%d]", path, day, i)
			switch {
			case !clockRange.MatchString(r):
				fail("%s: %q is not HH:MM-HH:MM (00:00 … 24:00)", p, r)
			case r[:5] >= r[6:]:
				fail("%s: %s ends before it starts", p, r)
			default:
				ok = append(ok, span{r[:5], r[6:], i})
			}
		}
		slices.SortFunc(ok, func(a, b span) int { return strings.Compare(a.from, b.from) })
		for k := 1; k < len(ok); k++ {
			if ok[k].from < ok[k-1].to {
				fail("%s.%s[%d]: %s-%s overlaps %s-%s", path, day, ok[k].i, ok[k].from, ok[k].to, ok[k-1].from, ok[k-1].to)
			}
		}
	}
}

func (s *TenantSpec) normalizeServices(branches map[string]bool, fail failFunc) map[string]bool {
	names := map[string]bool{}
	calIDs := map[int64]bool{}
	for i := range s.Services {
		e := &s.Services[i]
		if e.Name == "" || names[e.Name] {
			fail("service %d: a unique name is required", i+1)
		}
		names[e.Name] = true
		if e.CalcomEventTypeID <= 0 || calIDs[e.CalcomEventTypeID] {
			fail("service %q: a unique calcom_event_type_id > 0 is required", e.Name)
		}
		calIDs[e.CalcomEventTypeID] = true
		if e.DurationMinutes < 1 || e.DurationMinutes > 1440 {
			fail("service %q: duration_minutes must be 1…1440", e.Name)
		}
		if e.Currency == "" {
			e.Currency = "EUR"
		}
		if e.Branch != "" && !branches[e.Branch] {
			fail("service %q: unknown branch %q", e.Name, e.Branch)
		}
		if e.MinimumNoticeMinutes != nil && *e.MinimumNoticeMinutes < 0 {
			fail("services[%d].minimum_notice_minutes: %d is negative", i, *e.MinimumNoticeMinutes)
		}
		if e.BookingHorizonDays != nil && *e.BookingHorizonDays < 0 {
			fail("services[%d].booking_horizon_days: %d is negative", i, *e.BookingHorizonDays)
		}
		e.Aliases = lowerAll(e.Aliases)
	}
	return names
}

func (s *TenantSpec) normalizeStaff(branches, services map[string]bool, fail failFunc) {
	names := map[string]bool{}
	calIDs := map[int64]bool{}
	for _, e := range s.Services {
		calIDs[e.CalcomEventTypeID] = true
	}
	for i := range s.Staff {
		st := &s.Staff[i]
		if st.Name == "" || names[st.Name] {
			fail("staff %d: a unique name is required", i+1)
		}
		names[st.Name] = true
		if !branches[st.Branch] {
			fail("staff %q: unknown branch %q", st.Name, st.Branch)
		}
		for _, name := range st.Services {
			if !services[name] {
				fail("staff %q: unknown service %q", st.Name, name)
			}
		}
		s.checkStaffEventTypes(st, calIDs, fail)
		st.Aliases = lowerAll(st.Aliases)
		checkStaffHours(i, st, branches, fail)
		for j, o := range st.TimeOff {
			if _, _, err := o.span(time.UTC); err != nil {
				fail("staff[%d].time_off[%d]: %v", i, j, err)
			}
		}
	}
}

// checkStaffEventTypes checks st's own Cal.com event types: each for a service st offers, with
// an id used nowhere else (calIDs collects the ids seen so far).
func (s *TenantSpec) checkStaffEventTypes(st *StaffSpec, calIDs map[int64]bool, fail failFunc) {
	offered := st.offers(*s)
	for _, name := range slices.Sorted(maps.Keys(st.CalcomEventTypes)) {
		id := st.CalcomEventTypes[name]
		if !slices.Contains(offered, name) {
			fail("staff %q: calcom_event_types: %q is not a service they offer", st.Name, name)
		}
		if id <= 0 || calIDs[id] {
			fail("staff %q: calcom_event_types: %q needs a Cal.com event type id > 0 used nowhere else", st.Name, name)
		}
		calIDs[id] = true
	}
}

// checkStaffHours checks the working hours of staff member i: a weekly map, or maps by known
// branch names, each with hours.
func checkStaffHours(i int, st *StaffSpec, branches map[string]bool, fail failFunc) {
	for _, branch := range slices.Sorted(maps.Keys(st.Hours.ByBranch)) {
		path := fmt.Sprintf("staff[%d].hours", i)
		if branch != "" {
			path += "." + branch
			if !branches[branch] {
				fail("%s: unknown branch %q", path, branch)
				continue
			}
		}
		if len(st.Hours.ByBranch[branch]) == 0 {
			fail("%s: no working hours (leave the branch out to work its opening hours)", path)
		}
		checkHours(path, st.Hours.ByBranch[branch], fail)
	}
	if _, ok := st.Hours.ByBranch[""]; ok && len(st.Hours.ByBranch) > 1 {
		fail("staff[%d].hours: either a weekly map or maps by branch name, not both", i)
	}
}

// span resolves an absence in loc: whole days From through To, or two RFC 3339 instants.
func (o TimeOffSpec) span(loc *time.Location) (time.Time, time.Time, error) {
	fromDay, errFrom := time.ParseInLocation(time.DateOnly, o.From, loc)
	toDay, errTo := time.ParseInLocation(time.DateOnly, o.To, loc)
	if errFrom == nil && errTo == nil {
		if toDay.Before(fromDay) {
			return time.Time{}, time.Time{}, fmt.Errorf("%s-%s ends before it starts", o.From, o.To)
		}
		return fromDay, time.Date(toDay.Year(), toDay.Month(), toDay.Day()+1, 0, 0, 0, 0, loc), nil
	}
	from, errFrom := time.Parse(time.RFC3339, o.From)
	to, errTo := time.Parse(time.RFC3339, o.To)
	if errFrom != nil || errTo != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("from %q and to %q are neither dates (YYYY-MM-DD) nor RFC 3339 times", o.From, o.To)
	}
	if !to.After(from) {
		return time.Time{}, time.Time{}, fmt.Errorf("%s-%s ends before it starts", o.From, o.To)
	}
	return from, to, nil
}

// workingHours converts the YAML hours into the stored ones, by branch id.
func (st StaffSpec) workingHours(branchIDs map[string]string) map[string]api.OpeningHours {
	if len(st.Hours.ByBranch) == 0 {
		return nil
	}
	out := map[string]api.OpeningHours{}
	for name, week := range st.Hours.ByBranch {
		if name == "" {
			name = st.Branch
		}
		hours := BranchSpec{OpeningHours: week}.openingHours()
		for _, ranges := range hours { // as the database lists them
			slices.SortFunc(ranges, func(x, y api.TimeRange) int { return strings.Compare(x.From, y.From) })
		}
		out[branchIDs[name]] = hours
	}
	return out
}

// timeOff converts the YAML absences into instants, whole days in the zone of the staff
// member's branch.
func (st StaffSpec) timeOff(loc *time.Location) []api.TimeOff {
	var out []api.TimeOff
	for _, o := range st.TimeOff {
		from, to, err := o.span(loc)
		if err == nil {
			out = append(out, api.TimeOff{From: from, To: to, Reason: o.Reason})
		}
	}
	return out
}

// openingHours converts the YAML form into the stored one.
func (b BranchSpec) openingHours() api.OpeningHours {
	out := api.OpeningHours{}
	for _, day := range weekdayKeys {
		for _, r := range b.OpeningHours[day] {
			out[day] = append(out[day], api.TimeRange{From: r[:5], To: r[6:]})
		}
	}
	return out
}

func lowerAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
