package main

import (
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

var clockRange = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$`)

func loadTenantSpec(path string) (TenantSpec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return TenantSpec{}, fmt.Errorf("read %s: %w", path, err)
	}
	var s TenantSpec
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
		e164, err := database.NormalizePhone(b.Phone)
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
		checkHours(b, fail)
	}
	return names
}

func checkHours(b *BranchSpec, fail failFunc) {
	for day, ranges := range b.OpeningHours {
		if !contains(weekdayKeys, day) {
			fail("branch %q: opening_hours: %q is not one of mon…sun", b.Name, day)
		}
		for _, r := range ranges {
			if !clockRange.MatchString(r) || r[:5] >= r[6:] {
				fail("branch %q: opening_hours %s: %q is not HH:MM-HH:MM", b.Name, day, r)
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
		st.Aliases = lowerAll(st.Aliases)
	}
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
