package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/schedule"
	"github.com/askproai/backend/services/database/internal/database"
)

// `askpro appointments check` judges the active appointments already stored by the calendar
// rules booking applies (schedule.Rules.Fits): the branch's days and hours, its state's public
// holidays and its closing days, and the staff member's branches, hours and time off. Past,
// notice and horizon are left out: they decide whether a slot may be booked at the moment of
// booking, and an appointment booked in time does not become wrong as its day comes closer.
// An appointment at a deactivated branch counts as closed, one with a deactivated staff member
// as staff_absent: either way the customer has to be called.

// Finding is one stored appointment that breaks a rule, as --json prints it. The field names
// are part of the command's interface.
type Finding struct {
	CompanyID          string `json:"company_id"`
	Company            string `json:"company"`
	BranchID           string `json:"branch_id"`
	Branch             string `json:"branch"`
	AppointmentID      string `json:"appointment_id"`
	ConfirmationNumber string `json:"confirmation_number"`
	Status             string `json:"status"`
	// Start and End are in the branch's time zone (RFC 3339 with its offset).
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	TimeZone string    `json:"time_zone"`
	StaffID  string    `json:"staff_id"`
	Staff    string    `json:"staff"`
	Service  string    `json:"service"`
	// Reason is the code booking refuses such a slot with (closed, holiday, …).
	Reason schedule.Reason `json:"reason"`
	// Explanation says what is wrong in German, ExplanationEN in English.
	Explanation   string `json:"explanation"`
	ExplanationEN string `json:"explanation_en"`
	// CustomerPhone and CustomerName are whom to call ("" when the appointment has no customer).
	CustomerPhone string `json:"customer_phone"`
	CustomerName  string `json:"customer_name"`
}

// checkWindow is what appointments check looks at.
type checkWindow struct {
	// from and to bound the query, [from, to); a zero to has no end. With dates they are wide
	// enough for every time zone; fromDay and toDay then select by the branch's local day.
	from, to       time.Time
	fromDay, toDay string // YYYY-MM-DD, inclusive; "" is no bound
	label          string
}

// parseCheckWindow reads --from and --to (local days of each branch, both inclusive). Without
// --from the check starts now: appointments already past are not the operator's concern.
func parseCheckWindow(fromS, toS string, now time.Time) (checkWindow, error) {
	w := checkWindow{from: now, label: "from " + now.UTC().Format("2006-01-02 15:04") + " UTC"}
	day := func(flag, s string) (time.Time, error) {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("appointments check: --%s %q is not a date (YYYY-MM-DD)", flag, s)
		}
		return d, nil
	}
	if fromS != "" {
		d, err := day("from", fromS)
		if err != nil {
			return checkWindow{}, err
		}
		w.from, w.fromDay = d.Add(-14*time.Hour), d.Format(time.DateOnly) // UTC+14 is the earliest zone
		w.label = "from " + w.fromDay
	}
	if toS != "" {
		d, err := day("to", toS)
		if err != nil {
			return checkWindow{}, err
		}
		w.to, w.toDay = d.AddDate(0, 0, 1).Add(12*time.Hour), d.Format(time.DateOnly) // UTC-12 the latest
		switch {
		case w.fromDay != "" && w.toDay < w.fromDay:
			return checkWindow{}, fmt.Errorf("appointments check: --to %s is before --from %s", w.toDay, w.fromDay)
		case w.fromDay == "" && !w.to.After(w.from):
			return checkWindow{}, fmt.Errorf("appointments check: --to %s is before now; give --from as well", w.toDay)
		}
		w.label += " to " + w.toDay
	}
	return w, nil
}

// holds reports whether an appointment starting at the local time start is in the window.
func (w checkWindow) holds(start time.Time) bool {
	day := start.Format(time.DateOnly)
	return (w.fromDay == "" || day >= w.fromDay) && (w.toDay == "" || day <= w.toDay)
}

func (a *app) appointmentsCheck(ctx context.Context, args []string) error {
	fs := newFlags("appointments check")
	company := fs.String("company", "", "only this tenant (id, name or slug of the name)")
	from := fs.String("from", "", "first local day to check, YYYY-MM-DD (default: now)")
	to := fs.String("to", "", "last local day to check, YYYY-MM-DD (default: no end)")
	asJSON := fs.Bool("json", false, "print the findings as a JSON array")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("appointments check: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("appointments check: unexpected argument %q", fs.Arg(0))
	}
	w, err := parseCheckWindow(*from, *to, a.now())
	if err != nil {
		return err
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	companies, err := selectCompanies(ctx, store, "appointments check", *company)
	if err != nil {
		return err
	}
	findings := []Finding{}
	checked := 0
	for _, c := range companies {
		found, n, err := checkCompany(ctx, store, c, w)
		if err != nil {
			return err
		}
		findings, checked = append(findings, found...), checked+n
	}
	slices.SortStableFunc(findings, func(x, y Finding) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return strings.Compare(x.AppointmentID, y.AppointmentID)
	})
	if *asJSON {
		raw, err := json.MarshalIndent(findings, "", "  ")
		if err != nil {
			return fmt.Errorf("encode findings: %w", err)
		}
		writeln(a.out, string(raw))
	} else if err := printFindings(a, findings, checked, w); err != nil {
		return err
	}
	if len(findings) > 0 {
		return errFindings
	}
	return nil
}

// selectCompanies is every tenant, or the one sel names by id, name or slug of the name.
func selectCompanies(ctx context.Context, store *database.Store, cmd, sel string) ([]api.Company, error) {
	all, err := store.Companies(ctx)
	if err != nil {
		return nil, err
	}
	if sel == "" {
		return all, nil
	}
	var match []api.Company
	for _, c := range all {
		if strings.EqualFold(c.ID, sel) || strings.EqualFold(c.Name, sel) || slug(c.Name) == strings.ToLower(sel) {
			match = append(match, c)
		}
	}
	switch len(match) {
	case 0:
		return nil, fmt.Errorf("%s: no tenant %q (give its id, name or slug; see askpro tenant list)", cmd, sel)
	case 1:
		return match, nil
	}
	ids := make([]string, len(match))
	for i, c := range match {
		ids[i] = c.ID
	}
	return nil, fmt.Errorf("%s: %q names %d tenants (%s); give the id", cmd, sel, len(match), strings.Join(ids, ", "))
}

// checkCompany judges one tenant's active appointments in w; it returns the findings and how
// many appointments it judged.
func checkCompany(ctx context.Context, store *database.Store, c api.Company, w checkWindow) ([]Finding, int, error) {
	list, err := store.ActiveAppointmentsBetween(ctx, c.ID, w.from, w.to)
	if err != nil || len(list) == 0 {
		return nil, 0, err
	}
	branches, err := store.Branches(ctx, c.ID)
	if err != nil {
		return nil, 0, err
	}
	byBranch := map[string]api.Branch{}
	for _, b := range branches {
		byBranch[b.ID] = b
	}
	staff, err := store.StaffList(ctx, c.ID, "")
	if err != nil {
		return nil, 0, err
	}
	byStaff := map[string]*api.Staff{}
	for i := range staff {
		byStaff[staff[i].ID] = &staff[i]
	}
	var out []Finding
	checked := 0
	for _, appt := range list {
		b, ok := byBranch[appt.BranchID]
		if !ok {
			return nil, 0, fmt.Errorf("appointment %s: branch %s not found", appt.ID, appt.BranchID)
		}
		j, err := judge(c, b, byStaff[appt.StaffID], appt)
		if err != nil {
			return nil, 0, fmt.Errorf("appointment %s: %w", appt.ID, err)
		}
		if !w.holds(appt.StartTime.In(j.loc)) {
			continue
		}
		checked++
		if j.reason == schedule.ReasonNone {
			continue
		}
		f, err := finding(ctx, store, c, b, appt, j)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, f)
	}
	return out, checked, nil
}

func finding(ctx context.Context, store *database.Store, c api.Company, b api.Branch, appt database.StoredAppointment, j judgement) (Finding, error) {
	f := Finding{CompanyID: c.ID, Company: c.Name, BranchID: b.ID, Branch: b.Name, AppointmentID: appt.ID,
		ConfirmationNumber: appt.ConfirmationNumber, Status: appt.Status,
		Start: appt.StartTime.In(j.loc), End: appt.EndTime.In(j.loc), TimeZone: j.loc.String(),
		StaffID: appt.StaffID, Staff: appt.StaffName, Service: appt.Service,
		Reason: j.reason, Explanation: j.de, ExplanationEN: j.en}
	if appt.CustomerID != "" {
		cust, err := store.Customer(ctx, api.CustomerParams{CompanyID: c.ID, CustomerID: appt.CustomerID})
		if err != nil {
			return Finding{}, fmt.Errorf("appointment %s: %w", appt.ID, err)
		}
		f.CustomerPhone, f.CustomerName = cust.Phone, cust.Name
	}
	return f, nil
}

// judgement is what the check says about one appointment.
type judgement struct {
	loc    *time.Location
	reason schedule.Reason
	de, en string
}

// judge applies the rules of st (nil: no longer active) at b to a stored appointment.
func judge(c api.Company, b api.Branch, st *api.Staff, appt database.StoredAppointment) (judgement, error) {
	var staffArg *api.Staff
	if st != nil && schedule.WorksAt(*st, b.ID) {
		staffArg = st
	}
	r, err := schedule.FromWire(c, b, staffArg, nil)
	if err != nil {
		return judgement{}, fmt.Errorf("rules of branch %s: %w", b.Name, err)
	}
	j := judgement{loc: r.Location}
	start, end := appt.StartTime.In(r.Location), appt.EndTime.In(r.Location)
	name := appt.StaffName
	if name == "" {
		name = appt.StaffID
	}
	switch {
	case !b.Active:
		j.reason = schedule.ReasonClosed
		j.de = fmt.Sprintf("Die Filiale %s ist deaktiviert.", b.Name)
		j.en = fmt.Sprintf("The branch %s is deactivated.", b.Name)
	case st == nil:
		j.reason = schedule.ReasonStaffAbsent
		j.de = fmt.Sprintf("%s ist nicht mehr aktiv.", name)
		j.en = fmt.Sprintf("%s is no longer active.", name)
	case staffArg == nil:
		j.reason = schedule.ReasonStaffAbsent
		j.de = fmt.Sprintf("%s arbeitet nicht in der Filiale %s.", name, b.Name)
		j.en = fmt.Sprintf("%s does not work at the branch %s.", name, b.Name)
	default:
		v := r.Fits(start, end)
		j.reason = v.Reason
		j.de, j.en = explain(r, v, b, name, start, end)
	}
	return j, nil
}

var germanWeekdays = [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}

// explain says in German and English why the slot [start, end) breaks the rule of v.
func explain(r schedule.Rules, v schedule.Verdict, b api.Branch, staff string, start, end time.Time) (de, en string) {
	wd := start.Weekday()
	slot := start.Format("15:04") + "–" + end.Format("15:04")
	switch v.Reason {
	case schedule.ReasonNone:
		return "", ""
	case schedule.ReasonClosed:
		if v.Closing != nil {
			label := v.Closing.Label
			if label == "" {
				label = "Schließtage"
			}
			return fmt.Sprintf("Am %s ist geschlossen: %s vom %s bis %s.", deDate(start), label,
					deDay(v.Closing.From), deDay(v.Closing.To)),
				fmt.Sprintf("Closed on %s: %s, %s to %s.", start.Format(time.DateOnly), label,
					v.Closing.From, v.Closing.To)
		}
		if len(b.OpeningHours) == 0 {
			return fmt.Sprintf("Die Filiale %s hat keine Öffnungszeiten und ist daher geschlossen.", b.Name),
				fmt.Sprintf("The branch %s has no opening hours, so it is closed.", b.Name)
		}
		return fmt.Sprintf("%ss ist die Filiale %s geschlossen.", germanWeekdays[wd], b.Name),
			fmt.Sprintf("The branch %s is closed on %ss.", b.Name, wd)
	case schedule.ReasonHoliday:
		return fmt.Sprintf("Am %s ist %s, ein Feiertag in %s.", deDate(start), v.Holiday, b.State),
			fmt.Sprintf("%s is %s, a public holiday in %s.", start.Format(time.DateOnly), v.Holiday, b.State)
	case schedule.ReasonOutsideOpeningHours:
		hours := spans(r.Branch[wd])
		return fmt.Sprintf("%s liegt außerhalb der Öffnungszeiten (%s %s).", slot, germanWeekdays[wd], hours),
			fmt.Sprintf("%s is outside the opening hours (%s %s).", slot, wd, hours)
	case schedule.ReasonStaffAbsent:
		if v.Absence != nil {
			why := ""
			if v.Absence.Reason != "" {
				why = " (" + v.Absence.Reason + ")"
			}
			from, to := v.Absence.From.In(r.Location), v.Absence.To.In(r.Location)
			return fmt.Sprintf("%s hat frei%s: %s bis %s.", staff, why, deStamp(from), deStamp(to)),
				fmt.Sprintf("%s is off%s: %s to %s.", staff, why, from.Format("2006-01-02 15:04"), to.Format("2006-01-02 15:04"))
		}
		if r.Staff == nil || len(r.Staff[wd]) == 0 {
			return fmt.Sprintf("%s arbeitet %ss nicht in der Filiale %s.", staff, strings.ToLower(germanWeekdays[wd]), b.Name),
				fmt.Sprintf("%s does not work at the branch %s on %ss.", staff, b.Name, wd)
		}
		hours := spans(r.Staff[wd])
		return fmt.Sprintf("%s arbeitet %ss in der Filiale %s nur %s; der Termin ist %s.", staff, strings.ToLower(germanWeekdays[wd]), b.Name, hours, slot),
			fmt.Sprintf("%s works at the branch %s on %ss only %s; the appointment is %s.", staff, b.Name, wd, hours, slot)
	}
	return fmt.Sprintf("Der Termin verletzt die Regel %s.", v.Reason), fmt.Sprintf("The appointment breaks the rule %s.", v.Reason)
}

// spans is "09:00–13:00, 14:00–18:00", or "-" for none.
func spans(list []schedule.Span) string {
	if len(list) == 0 {
		return "-"
	}
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = fmt.Sprintf("%02d:%02d–%02d:%02d", s.From/60, s.From%60, s.To/60, s.To%60)
	}
	return strings.Join(parts, ", ")
}

func deDate(t time.Time) string { return t.Format("02.01.2006") }

func deDay(d schedule.Date) string { return fmt.Sprintf("%02d.%02d.%04d", d.Day, d.Month, d.Year) }

func deStamp(t time.Time) string { return t.Format("02.01.2006 15:04") }

var germanWeekdayAbbr = [7]string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"}

func printFindings(a *app, findings []Finding, checked int, w checkWindow) error {
	if len(findings) == 0 {
		writef(a.out, "no stored appointment breaks the rules (%d active appointment(s) checked %s)\n", checked, w.label)
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "START (LOCAL)\tCOMPANY\tBRANCH\tSTAFF\tCONFIRMATION\tREASON\tPHONE\tAPPOINTMENT\tEXPLANATION")
	for _, f := range findings {
		writef(tw, "%s %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", germanWeekdayAbbr[f.Start.Weekday()],
			f.Start.Format("02.01.2006 15:04"), f.Company, f.Branch, orDash(f.Staff), f.ConfirmationNumber,
			f.Reason, orDash(f.CustomerPhone), f.AppointmentID, f.Explanation)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	writef(a.out, "%d of %d active appointment(s) %s break the rules; call these customers\n", len(findings), checked, w.label)
	return nil
}
