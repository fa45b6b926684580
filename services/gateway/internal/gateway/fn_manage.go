package gateway

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	bookingapi "github.com/askproai/backend/pkg/api/booking"
	dbapi "github.com/askproai/backend/pkg/api/database"
)

// confirmationNumber reads a spoken confirmation number: "k 7 m 2 p 9", "K7M-2P9".
func confirmationNumber(args map[string]string) string {
	raw := strings.ToUpper(args["confirmation_number"])
	var b strings.Builder
	for _, r := range raw {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (s *Server) fnCancel(ctx context.Context, c *fnCall) FunctionResult {
	p := bookingapi.CancelParams{CompanyID: c.company, TimeZone: c.loc.String(), Reason: "Vom Anrufer am Telefon abgesagt"}
	if n := confirmationNumber(c.args); n != "" {
		p.ConfirmationNumber = n
	} else {
		day, res, ok := s.spokenDay(ctx, c)
		if !ok {
			return res
		}
		if c.callerNo == "" {
			return FunctionResult{Message: "Nennen Sie mir bitte Ihre Bestätigungsnummer.", NeedsClarification: true, Error: "confirmation_missing"}
		}
		p.Phone, p.Date = c.callerNo, day
	}
	out, err := s.booking.Cancel(ctx, p)
	if err != nil {
		return s.failure(ctx, err)
	}
	return FunctionResult{Success: true, Message: out.Message, Booking: &BookedSlot{
		AppointmentID: out.Booking.ID, Start: out.Booking.Start.Format(time.RFC3339), ConfirmationNumber: out.Booking.ConfirmationNumber,
	}}
}

// spokenDay resolves the day the caller named to YYYY-MM-DD in the branch's zone.
func (s *Server) spokenDay(ctx context.Context, c *fnCall) (string, FunctionResult, bool) {
	in, err := s.understand(ctx, c)
	if err != nil {
		return "", s.failure(ctx, err), false
	}
	if res, ok := clarify(in); ok {
		return "", res, false
	}
	if len(in.Times) == 0 {
		return "", FunctionResult{Message: "An welchem Tag ist Ihr Termin? Oder nennen Sie mir Ihre Bestätigungsnummer.", NeedsClarification: true, Error: "date_missing"}, false
	}
	return in.Times[0].Start.In(c.loc).Format(time.DateOnly), FunctionResult{}, true
}

func (s *Server) fnReschedule(ctx context.Context, c *fnCall) FunctionResult {
	in, err := s.understand(ctx, c)
	if err != nil {
		return s.failure(ctx, err)
	}
	number := confirmationNumber(c.args)
	if number == "" {
		appt, res, ok := s.upcomingAppointment(ctx, c)
		if !ok {
			return res
		}
		number = appt.ConfirmationNumber
	}
	current, err := s.db.AppointmentByConfirmation(ctx, dbapi.ByConfirmationParams{CompanyID: c.company, ConfirmationNumber: number})
	if err != nil {
		return s.failure(ctx, err)
	}
	start, staff, res, ok := s.exactSlot(ctx, c, in, current.EventTypeID)
	if !ok {
		return res
	}
	out, err := s.booking.Reschedule(ctx, bookingapi.RescheduleParams{
		CompanyID: c.company, ConfirmationNumber: number, StaffID: staff, Start: start,
		TimeZone: c.loc.String(), Reason: "Vom Anrufer am Telefon verschoben",
	})
	if err != nil {
		return s.failure(ctx, err)
	}
	return FunctionResult{Success: true, Message: out.Message, Booking: &BookedSlot{
		AppointmentID: out.Booking.ID, Start: out.Booking.Start.Format(time.RFC3339),
		ConfirmationNumber: out.Booking.ConfirmationNumber, ConfirmationSpoken: out.ConfirmationSpoken,
	}}
}

// upcomingAppointment finds the caller's one upcoming appointment by their number; with none
// or several, the agent asks for the confirmation number.
func (s *Server) upcomingAppointment(ctx context.Context, c *fnCall) (dbapi.Appointment, FunctionResult, bool) {
	ask := FunctionResult{Message: "Nennen Sie mir bitte Ihre Bestätigungsnummer, dann finde ich Ihren Termin.", NeedsClarification: true, Error: "confirmation_missing"}
	if c.callerNo == "" {
		return dbapi.Appointment{}, ask, false
	}
	list, err := s.db.AppointmentsByCustomerPhone(ctx, dbapi.ByCustomerPhoneParams{CompanyID: c.company, Phone: c.callerNo})
	if err != nil {
		return dbapi.Appointment{}, s.failure(ctx, err), false
	}
	var upcoming []dbapi.Appointment
	for _, a := range list.Appointments {
		if a.StartTime.After(c.ref) && (a.Status == dbapi.StatusScheduled || a.Status == dbapi.StatusConfirmed) {
			upcoming = append(upcoming, a)
		}
	}
	if len(upcoming) != 1 {
		return dbapi.Appointment{}, ask, false
	}
	return upcoming[0], FunctionResult{}, true
}

var weekdayKeys = []struct{ key, name string }{
	{"mon", "montags"}, {"tue", "dienstags"}, {"wed", "mittwochs"}, {"thu", "donnerstags"},
	{"fri", "freitags"}, {"sat", "samstags"}, {"sun", "sonntags"},
}

func (s *Server) fnBusinessInfo(ctx context.Context, c *fnCall) FunctionResult {
	branch, err := s.db.Branch(ctx, dbapi.BranchParams{CompanyID: c.company, BranchID: c.branch})
	if err != nil {
		return s.failure(ctx, err)
	}
	types, err := s.db.EventTypes(ctx, dbapi.CatalogueParams{CompanyID: c.company, BranchID: c.branch})
	if err != nil {
		return s.failure(ctx, err)
	}
	msg := openingHoursText(branch.OpeningHours)
	if svc := servicesText(types.EventTypes); svc != "" {
		msg += " " + svc
	}
	return FunctionResult{Success: true, Message: msg}
}

func openingHoursText(h dbapi.OpeningHours) string {
	var parts []string
	for _, d := range weekdayKeys {
		ranges := h[d.key]
		if len(ranges) == 0 {
			continue
		}
		spans := make([]string, 0, len(ranges))
		for _, r := range ranges {
			spans = append(spans, "von "+spokenClock(r.From)+" bis "+spokenClock(r.To)+" Uhr")
		}
		parts = append(parts, d.name+" "+joinGerman(spans))
	}
	if len(parts) == 0 {
		// A branch without hours is closed for booking (pkg/schedule); say so, as booking does.
		return "Für diesen Standort sind leider keine Öffnungszeiten hinterlegt, deshalb kann ich hier keine Termine vergeben."
	}
	return "Wir haben " + joinGerman(parts) + " geöffnet."
}

// spokenClock says "09:00" as "9" and "18:30" as "18:30".
func spokenClock(hhmm string) string {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return hhmm
	}
	if t.Minute() == 0 {
		return fmt.Sprint(t.Hour())
	}
	return fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
}

func servicesText(types []dbapi.EventType) string {
	sort.Slice(types, func(i, j int) bool { return types[i].Name < types[j].Name })
	var parts []string
	for _, e := range types {
		if !e.Active {
			continue
		}
		p := fmt.Sprintf("%s dauert %d Minuten", e.Name, e.DurationMinutes)
		if e.PriceCents != nil {
			p += " und kostet " + euros(*e.PriceCents)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return ""
	}
	return "Unsere Leistungen: " + strings.Join(parts, "; ") + "."
}

func euros(cents int64) string {
	if cents%100 == 0 {
		return fmt.Sprintf("%d Euro", cents/100)
	}
	return fmt.Sprintf("%d Euro %d", cents/100, cents%100)
}
