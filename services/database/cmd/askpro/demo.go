package main

// The demo tenant of `make run`: a Berlin hair salon with two branches. Its Cal.com account is
// calsim's seed, made from the same spec (calsimSeed), so the simulator serves exactly this
// catalogue.

// Demo phone numbers (Berlin, 030 555 range: reserved for drama and examples).
const (
	DemoPhoneMitte      = "+493055571234"
	DemoPhonePrenzlauer = "+493055571299"
	// DemoCalcomKey is the demo account's Cal.com key in calsim (not a secret).
	DemoCalcomKey = "cal_test_haarmonie"
	// DemoCallerPhone is the caller of `askpro simulate-call` unless --from says otherwise.
	DemoCallerPhone = "+4915112345678"
)

func cents(n int64) *int64 { return &n }

// demoSpec is the demo tenant.
func demoSpec() TenantSpec {
	const mitte, prenzlauer = "Haarmonie Mitte", "Haarmonie Prenzlauer Berg"
	all := []string{"Damenhaarschnitt", "Herrenhaarschnitt", "Färben", "Strähnchen", "Föhnen", "Waschen, Schneiden, Föhnen"}
	spec := TenantSpec{
		Name:     "Salon Haarmonie",
		TimeZone: "Europe/Berlin",
		Calcom: CalcomSpec{APIKey: DemoCalcomKey, UserID: 1, Username: "salon-haarmonie",
			Email: "termine@salon-haarmonie.example"},
		Branches: []BranchSpec{
			{Name: mitte, Phone: DemoPhoneMitte, Address: "Torstraße 101, 10119 Berlin", State: "DE-BE",
				ClosingDays: []ClosingDaysSpec{{From: "2026-12-24", To: "2026-12-24", Label: "Heiligabend"}},
				OpeningHours: map[string][]string{
					"mon": {"09:00-18:00"}, "tue": {"09:00-18:00"}, "wed": {"09:00-18:00"},
					"thu": {"09:00-20:00"}, "fri": {"09:00-18:00"}, "sat": {"09:00-14:00"}}},
			{Name: prenzlauer, Phone: DemoPhonePrenzlauer, Address: "Kastanienallee 12, 10435 Berlin", State: "DE-BE",
				OpeningHours: map[string][]string{
					"tue": {"10:00-19:00"}, "wed": {"10:00-19:00"}, "thu": {"10:00-19:00"},
					"fri": {"10:00-19:00"}, "sat": {"10:00-16:00"}}},
		},
		Services: []ServiceSpec{
			{Name: "Damenhaarschnitt", Aliases: []string{"Haare schneiden", "Haarschnitt Damen", "Damenschnitt", "Schneiden"},
				DurationMinutes: 45, PriceCents: cents(4900), CalcomEventTypeID: 2001},
			{Name: "Herrenhaarschnitt", Aliases: []string{"Herrenschnitt", "Haarschnitt Herren", "Männerhaarschnitt"},
				DurationMinutes: 30, PriceCents: cents(2900), CalcomEventTypeID: 2002},
			{Name: "Färben", Aliases: []string{"Haare färben", "Farbe", "Coloration", "Tönen"},
				DurationMinutes: 90, PriceCents: cents(7900), CalcomEventTypeID: 2003},
			{Name: "Strähnchen", Aliases: []string{"Strähnen", "Highlights", "Balayage"},
				DurationMinutes: 120, PriceCents: cents(9900), CalcomEventTypeID: 2004},
			{Name: "Föhnen", Aliases: []string{"Fönen", "Styling", "Föhnfrisur"},
				DurationMinutes: 30, PriceCents: cents(2500), CalcomEventTypeID: 2005},
			{Name: "Waschen, Schneiden, Föhnen", Aliases: []string{"Waschen Schneiden Föhnen", "Komplettpaket", "Waschen und Schneiden"},
				DurationMinutes: 60, PriceCents: cents(5900), CalcomEventTypeID: 2006},
		},
		Staff: []StaffSpec{
			{Name: "Anna Becker", Branch: mitte, Aliases: []string{"Anna", "Frau Becker"}, CalcomUserID: 11, Services: all,
				Hours: HoursSpec{ByBranch: map[string]map[string][]string{"": {
					"mon": {"09:00-18:00"}, "tue": {"09:00-18:00"}, "wed": {"09:00-18:00"}, "fri": {"09:00-18:00"}, "sat": {"09:00-14:00"}}}}},
			{Name: "Mehmet Yılmaz", Branch: mitte, Aliases: []string{"Mehmet", "Herr Yilmaz", "Herr Yılmaz"}, CalcomUserID: 12,
				Services: []string{"Herrenhaarschnitt", "Föhnen", "Waschen, Schneiden, Föhnen"}},
			// Sophie works at both branches: Mitte early in the week, Prenzlauer Berg at its end.
			{Name: "Sophie Wagner", Branch: mitte, Aliases: []string{"Sophie", "Frau Wagner"}, CalcomUserID: 13, Services: all,
				Hours: HoursSpec{ByBranch: map[string]map[string][]string{
					mitte:      {"tue": {"09:00-13:00", "14:00-18:00"}, "wed": {"09:00-18:00"}, "thu": {"12:00-20:00"}},
					prenzlauer: {"fri": {"10:00-19:00"}, "sat": {"10:00-16:00"}}}}},
			{Name: "Lena Schulz", Branch: prenzlauer, Aliases: []string{"Lena", "Frau Schulz"}, CalcomUserID: 14, Services: all},
			{Name: "Jonas Fischer", Branch: prenzlauer, Aliases: []string{"Jonas", "Herr Fischer"}, CalcomUserID: 15,
				Services: []string{"Herrenhaarschnitt", "Damenhaarschnitt", "Föhnen", "Waschen, Schneiden, Föhnen"}},
		},
	}
	return spec
}
