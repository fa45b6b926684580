package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// calsimSeed is the seed file of services/calcom/cmd/calsim (-seed): the JSON field names are
// calsim's (services/calcom/README.md). It is declared here because calsim lives in another
// module's internal package; TestCalsimSeedMatchesTenant keeps the two in step with the tenant.
type calsimSeed struct {
	Accounts   []calsimAccount   `json:"accounts"`
	Users      []calsimUser      `json:"users"`
	Schedules  []calsimSchedule  `json:"schedules"`
	EventTypes []calsimEventType `json:"eventTypes"`
}

type calsimAccount struct {
	APIKey string `json:"apiKey"`
	UserID int64  `json:"userId"`
}

type calsimUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	TimeZone string `json:"timeZone"`
}

type calsimSchedule struct {
	ID           int64                `json:"id"`
	UserID       int64                `json:"userId"`
	Name         string               `json:"name"`
	TimeZone     string               `json:"timeZone"`
	IsDefault    bool                 `json:"isDefault"`
	Availability []calsimAvailability `json:"availability"`
}

type calsimAvailability struct {
	Days      []string `json:"days"`
	StartTime string   `json:"startTime"`
	EndTime   string   `json:"endTime"`
}

type calsimEventType struct {
	ID                   int64  `json:"id"`
	UserID               int64  `json:"userId"`
	Slug                 string `json:"slug"`
	Title                string `json:"title"`
	LengthInMinutes      int    `json:"lengthInMinutes"`
	SlotInterval         int    `json:"slotInterval,omitempty"`
	MinimumBookingNotice int    `json:"minimumBookingNotice,omitempty"`
	ScheduleID           int64  `json:"scheduleId,omitempty"`
}

var calDays = map[string]string{"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
	"fri": "Friday", "sat": "Saturday", "sun": "Sunday"}

// calsimSeedFor makes the Cal.com account of spec: the owner (account user) owns every event
// type on a schedule that covers the opening hours of all branches; each staff member is a
// user with a schedule of their branch's hours.
func calsimSeedFor(s TenantSpec) (calsimSeed, error) {
	if s.Calcom.APIKey == "" || s.Calcom.UserID <= 0 || s.Calcom.Username == "" {
		return calsimSeed{}, fmt.Errorf("calcom: api_key, user_id and username are required for a calsim seed")
	}
	owner := s.Calcom.UserID
	seed := calsimSeed{
		Accounts: []calsimAccount{{APIKey: s.Calcom.APIKey, UserID: owner}},
		Users: []calsimUser{{ID: owner, Username: s.Calcom.Username, Email: s.Calcom.Email,
			Name: s.Name, TimeZone: s.TimeZone}},
		Schedules: []calsimSchedule{{ID: owner, UserID: owner, Name: "Öffnungszeiten", TimeZone: s.TimeZone,
			IsDefault: true, Availability: availability(mergeHours(s.Branches))}},
	}
	domain := "example.com"
	if _, d, ok := strings.Cut(s.Calcom.Email, "@"); ok && d != "" {
		domain = d
	}
	branches := map[string]BranchSpec{}
	for _, b := range s.Branches {
		branches[b.Name] = b
	}
	for _, st := range s.Staff {
		if st.CalcomUserID <= 0 {
			continue
		}
		b := branches[st.Branch]
		seed.Users = append(seed.Users, calsimUser{ID: st.CalcomUserID, Username: slug(st.Name),
			Email: slug(st.Name) + "@" + domain, Name: st.Name, TimeZone: b.TimeZone})
		seed.Schedules = append(seed.Schedules, calsimSchedule{ID: st.CalcomUserID, UserID: st.CalcomUserID,
			Name: b.Name, TimeZone: b.TimeZone, IsDefault: true, Availability: availability(mergeHours(st.schedule(branches)))})
	}
	lengths := map[string]int{}
	for _, e := range s.Services {
		lengths[e.Name] = e.DurationMinutes
		seed.EventTypes = append(seed.EventTypes, calsimEventType{ID: e.CalcomEventTypeID, UserID: owner,
			Slug: slug(e.Name), Title: e.Name, LengthInMinutes: e.DurationMinutes, SlotInterval: 15,
			MinimumBookingNotice: 60, ScheduleID: owner})
	}
	// Each staff member's own event types, on their own schedule: what they are booked through.
	for _, st := range s.Staff {
		for _, name := range slices.Sorted(maps.Keys(st.CalcomEventTypes)) {
			if st.CalcomUserID <= 0 {
				return calsimSeed{}, fmt.Errorf("staff %q: own Cal.com event types need a calcom_user_id", st.Name)
			}
			seed.EventTypes = append(seed.EventTypes, calsimEventType{ID: st.CalcomEventTypes[name], UserID: st.CalcomUserID,
				Slug: slug(name), Title: name, LengthInMinutes: lengths[name], SlotInterval: 15,
				MinimumBookingNotice: 60, ScheduleID: st.CalcomUserID})
		}
	}
	return seed, nil
}

// schedule is when a staff member works, as weekly hours to merge: their hours at each branch
// they list, and their own branch's opening hours unless they list hours there.
func (st StaffSpec) schedule(branches map[string]BranchSpec) []BranchSpec {
	var out []BranchSpec
	_, ownListed := st.Hours.ByBranch[st.Branch]
	if _, weekly := st.Hours.ByBranch[""]; !weekly && !ownListed {
		out = append(out, branches[st.Branch])
	}
	for _, name := range slices.Sorted(maps.Keys(st.Hours.ByBranch)) {
		out = append(out, BranchSpec{OpeningHours: st.Hours.ByBranch[name]})
	}
	return out
}

// mergeHours is, per weekday, the union of the branches' opening intervals.
func mergeHours(bs []BranchSpec) map[string][][2]string {
	out := map[string][][2]string{}
	for _, day := range weekdayKeys {
		var iv [][2]string
		for _, b := range bs {
			for _, r := range b.OpeningHours[day] {
				iv = append(iv, [2]string{r[:5], r[6:]})
			}
		}
		slices.SortFunc(iv, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		var merged [][2]string
		for _, x := range iv {
			if n := len(merged); n > 0 && x[0] <= merged[n-1][1] {
				merged[n-1][1] = max(merged[n-1][1], x[1])
				continue
			}
			merged = append(merged, x)
		}
		if len(merged) > 0 {
			out[day] = merged
		}
	}
	return out
}

// availability groups days with the same interval into calsim's blocks, in weekday order.
func availability(hours map[string][][2]string) []calsimAvailability {
	var out []calsimAvailability
	for _, day := range weekdayKeys {
		for _, iv := range hours[day] {
			i := slices.IndexFunc(out, func(a calsimAvailability) bool { return a.StartTime == iv[0] && a.EndTime == iv[1] })
			if i < 0 {
				out = append(out, calsimAvailability{StartTime: iv[0], EndTime: iv[1]})
				i = len(out) - 1
			}
			out[i].Days = append(out[i].Days, calDays[day])
		}
	}
	return out
}

// slug turns "Waschen, Schneiden, Föhnen" into "waschen-schneiden-foehnen".
func slug(s string) string {
	s = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue", "ı", "i").Replace(s)
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}

// writeJSONFile writes v atomically (temp file + rename), creating the directory.
func writeJSONFile(path string, v any, perm os.FileMode) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return writeFileAtomic(path, append(raw, '\n'), perm)
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create directory of %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
