package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/routing/internal/routing"
)

// defaultRef is Tuesday, 24 November 2026, 10:00 in Berlin: the call started then.
const defaultRef = "2026-11-24 10:00"

// phrase is one row of the table: what a caller said and what we must understand. Service,
// staff and times are always checked (empty means "none"); action, original and caller only
// when set.
type phrase struct {
	name    string
	text    string
	ref     string // defaultRef when empty
	late    bool   // lateSalon instead of salon
	action  routing.Action
	service string
	alts    []string
	staff   string
	times   []string
	orig    []string
	caller  *routing.Caller
}

const (
	book  = routing.ActionBook
	canc  = routing.ActionCancel
	resch = routing.ActionReschedule
	info  = routing.ActionInfo
	none  = routing.ActionNone
)

func TestAnalyzeIntentPhrases(t *testing.T) {
	var rows []phrase
	for _, group := range [][]phrase{germanBooking, germanClock, germanRanges, holidays, daylightSaving,
		turnOfYear, ambiguous, noDate, actions, english, asrNoise, catalogue, callers} {
		rows = append(rows, group...)
	}
	require.GreaterOrEqual(t, len(rows), 150)
	parsers := map[bool]*routing.Parser{false: routing.NewParser(salon()), true: routing.NewParser(lateSalon())}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			ref := defaultRef
			if tc.ref != "" {
				ref = tc.ref
			}
			in := parsers[tc.late].Analyze(tc.text, at(t, ref), berlin(t))
			checkPhrase(t, tc, in)
		})
	}
}

func checkPhrase(t *testing.T, tc phrase, in routing.Intent) {
	t.Helper()
	if tc.action != "" {
		require.Equal(t, tc.action, in.Action, "action")
	}
	require.Equal(t, tc.service, matchID(in.Service), "service")
	if tc.alts != nil {
		var ids []string
		for _, m := range in.ServiceAlternatives {
			ids = append(ids, m.ID)
		}
		require.Equal(t, tc.alts, ids, "service alternatives")
	}
	require.Equal(t, tc.staff, matchID(in.Staff), "staff")
	require.Equal(t, tc.times, compactAll(in.Times), "times")
	require.Equal(t, len(tc.times) > 1 || tc.alts != nil, in.Ambiguous, "ambiguous")
	if tc.orig != nil {
		require.Equal(t, tc.orig, compactAll(in.Original), "original")
	}
	if tc.caller != nil {
		require.Equal(t, *tc.caller, in.Caller, "caller")
	}
}

func matchID(m *routing.Match) string {
	if m == nil {
		return ""
	}
	return m.ID
}

func times(ts ...string) []string { return ts }

var germanBooking = []phrase{
	{name: "morgen halb drei", text: "ich hätte gern einen Termin morgen um halb drei", action: book,
		times: times("2026-11-25T14:30+01:00")},
	{name: "damenhaarschnitt freitag zehn", text: "hallo ich möchte gerne einen Damenhaarschnitt am Freitag um zehn",
		action: book, service: "et-damen", times: times("2026-11-27T10:00+01:00")},
	{name: "mittwoch naechste woche number words", text: "kann ich nächste Woche Mittwoch um vierzehn Uhr dreißig kommen",
		action: book, times: times("2026-12-02T14:30+01:00")},
	{name: "mittwoch naechste woche digits", text: "Mittwoch nächste Woche um 15 Uhr", times: times("2026-12-02T15:00+01:00")},
	{name: "naechsten dienstag said on tuesday", text: "nächsten Dienstag um 14 Uhr", times: times("2026-12-01T14:00+01:00")},
	{name: "naechsten montag is next week", text: "nächsten Montag bitte", times: times("2026-11-30")},
	{name: "diesen freitag zehn nach elf", text: "diesen Freitag um zehn nach elf", times: times("2026-11-27T11:10+01:00")},
	{name: "kommenden montag vormittags", text: "kommenden Montag vormittags",
		times: times("2026-11-30T09:00+01:00..12:00")},
	{name: "uebernaechsten montag", text: "übernächsten Montag", times: times("2026-12-07")},
	{name: "dienstag neun already past today", text: "am Dienstag um neun", times: times("2026-12-01T09:00+01:00")},
	{name: "samstag halb zehn", text: "am Samstag um halb zehn", times: times("2026-11-28T09:30+01:00")},
	{name: "sonntag closed still pm", text: "am Sonntag um drei", times: times("2026-11-29T15:00+01:00")},
	{name: "am dritten dezember um zehn", text: "am dritten Dezember um zehn", times: times("2026-12-03T10:00+01:00")},
	{name: "dotted date uhr minutes", text: "3.12. um 9 Uhr 15", times: times("2026-12-03T09:15+01:00")},
	{name: "full dotted date vormittags", text: "am 15.12.2026 vormittags", times: times("2026-12-15T09:00+01:00..12:00")},
	{name: "two digit year", text: "am 03.12.26", times: times("2026-12-03")},
	{name: "dreizehnten januar rolls to next year", text: "den dreizehnten Januar", times: times("2027-01-13")},
	{name: "day of month next month", text: "geht es am fünfzehnten", times: times("2026-12-15")},
	{name: "day of month this month", text: "am 30.", times: times("2026-11-30")},
	{name: "einunddreissigsten dezember", text: "am einunddreißigsten Dezember", times: times("2026-12-31")},
	{name: "austrian jaenner", text: "am 3. Jänner", times: times("2027-01-03")},
	{name: "austrian feber ordinal words", text: "am zweiundzwanzigsten Feber", times: times("2027-02-22")},
	{name: "leap day without year", text: "am 29.2.", times: times("2028-02-29")},
	{name: "no 31 april", text: "am 31.4.", action: none},
	{name: "weekday with matching date", text: "am Samstag den 28.11.", times: times("2026-11-28")},
	{name: "dreiundzwanzigsten alone", text: "am dreiundzwanzigsten", times: times("2026-12-23")},
	{name: "ordinal month", text: "am dritten zwölften um elf", times: times("2026-12-03T11:00+01:00")},
	{name: "in drei tagen", text: "in drei Tagen", times: times("2026-11-27")},
	{name: "in zwei wochen", text: "in zwei Wochen", times: times("2026-12-08")},
	{name: "in einer woche um zehn", text: "in einer Woche um 10", times: times("2026-12-01T10:00+01:00")},
	{name: "in vierzehn tagen", text: "in 14 Tagen", times: times("2026-12-08")},
	{name: "heute in einer woche", text: "heute in einer Woche", times: times("2026-12-01")},
	{name: "freitag in zwei wochen", text: "Freitag in zwei Wochen", times: times("2026-12-11")},
	{name: "in zwei wochen am freitag", text: "in zwei Wochen am Freitag", times: times("2026-12-11")},
	{name: "naechste woche as a week", text: "irgendwann nächste Woche", times: times("week 2026-11-30")},
	{name: "diese woche donnerstag", text: "diese Woche Donnerstag um 15 Uhr", times: times("2026-11-26T15:00+01:00")},
	{name: "uebernaechste woche dienstag", text: "übernächste Woche Dienstag", times: times("2026-12-08")},
	{name: "naechste woche am freitag nachmittag", text: "nächste Woche am Freitag nachmittag",
		times: times("2026-12-04T13:00+01:00..18:00")},
	{name: "freitagnachmittag compound", text: "Freitagnachmittag", times: times("2026-11-27T13:00+01:00..18:00")},
	{name: "uebermorgen", text: "übermorgen", times: times("2026-11-26")},
	{name: "heute", text: "geht heute noch was", times: times("2026-11-24")},
}

var germanClock = []phrase{
	{name: "viertel nach zehn", text: "Viertel nach zehn am Donnerstag", times: times("2026-11-26T10:15+01:00")},
	{name: "viertel vor vier", text: "viertel vor vier morgen", times: times("2026-11-25T15:45+01:00")},
	{name: "dreiviertel elf", text: "dreiviertel elf übermorgen", times: times("2026-11-26T10:45+01:00")},
	{name: "drei viertel elf split", text: "drei viertel elf übermorgen", times: times("2026-11-26T10:45+01:00")},
	{name: "viertel elf eastern", text: "morgen viertel elf", times: times("2026-11-25T10:15+01:00")},
	{name: "fuenf vor halb vier", text: "fünf vor halb vier am Freitag", times: times("2026-11-27T15:25+01:00")},
	{name: "fuenf nach halb zwoelf", text: "fünf nach halb zwölf morgen", times: times("2026-11-25T11:35+01:00")},
	{name: "zehn nach elf", text: "zehn nach elf am Montag", times: times("2026-11-30T11:10+01:00")},
	{name: "zwanzig vor fuenf", text: "zwanzig vor fünf morgen", times: times("2026-11-25T16:40+01:00")},
	{name: "um zwei is pm", text: "morgen um zwei", times: times("2026-11-25T14:00+01:00")},
	{name: "um eins is pm", text: "morgen um eins", times: times("2026-11-25T13:00+01:00")},
	{name: "frueh um acht", text: "morgen früh um acht", times: times("2026-11-25T08:00+01:00")},
	{name: "abends um sieben", text: "morgen abend um sieben", times: times("2026-11-25T19:00+01:00")},
	{name: "halb drei today", text: "halb drei", times: times("2026-11-24T14:30+01:00")},
	{name: "um drei after closing moves to tomorrow", text: "um drei", ref: "2026-11-24 16:00",
		times: times("2026-11-25T15:00+01:00")},
	{name: "vierzehn uhr dreissig", text: "vierzehn Uhr dreißig", times: times("2026-11-24T14:30+01:00")},
	{name: "14 uhr 30", text: "14 Uhr 30", times: times("2026-11-24T14:30+01:00")},
	{name: "colon clock", text: "14:30", times: times("2026-11-24T14:30+01:00")},
	{name: "dotted clock with uhr", text: "14.30 Uhr am Montag", times: times("2026-11-30T14:30+01:00")},
	{name: "gegen halb vier", text: "gegen halb vier am Mittwoch", times: times("2026-11-25T15:30+01:00")},
	{name: "so um drei rum", text: "so um drei rum morgen", times: times("2026-11-25T15:00+01:00")},
	{name: "um vierzehn dreissig", text: "morgen um vierzehn dreißig", times: times("2026-11-25T14:30+01:00")},
	{name: "donnerstag um sieben open late", text: "Donnerstag um sieben", times: times("2026-11-26T19:00+01:00")},
	{name: "zwoelf uhr mittags", text: "Freitag zwölf Uhr mittags", times: times("2026-11-27T12:00+01:00")},
	{name: "leading zero is morning", text: "morgen 08:30", times: times("2026-11-25T08:30+01:00")},
	{name: "abends fixes pm without a date", text: "ich bin um acht Uhr abends frei", times: times("2026-11-24T20:00+01:00")},
	{name: "dotted clock after um", text: "Um 12.30 Uhr", times: times("2026-11-24T12:30+01:00")},
	{name: "viertel with digit", text: "um viertel 3", times: times("2026-11-24T14:15+01:00")},
	{name: "kinder then um", text: "ich komme mit 2 Kindern um 3", times: times("2026-11-24T15:00+01:00")},
	{name: "nachts fixes am", text: "Sonntag zwei Uhr nachts", times: times("2026-11-29T02:00+01:00")},
	{name: "halb neun abends", text: "morgen halb neun abends", times: times("2026-11-25T20:30+01:00")},
	{name: "zweiundzwanzig uhr", text: "Donnerstag um zweiundzwanzig Uhr", times: times("2026-11-26T22:00+01:00")},
	{name: "noon tomorrow", text: "noon tomorrow", times: times("2026-11-25T12:00+01:00")},
	{name: "zehn vor zwoelf digits", text: "um 10 vor 12 am Freitag", times: times("2026-11-27T11:50+01:00")},
}

var germanRanges = []phrase{
	{name: "zwischen 14 und 16", text: "am 3. Dezember zwischen 14 und 16 Uhr", times: times("2026-12-03T14:00+01:00..16:00")},
	{name: "zwischen zwei und vier", text: "zwischen zwei und vier am Freitag", times: times("2026-11-27T14:00+01:00..16:00")},
	{name: "zwischen zehn und zwei", text: "Freitag zwischen zehn und zwei", times: times("2026-11-27T10:00+01:00..14:00")},
	{name: "von bis", text: "von 10 bis 12 Uhr am Montag", times: times("2026-11-30T10:00+01:00..12:00")},
	{name: "bis without von", text: "Montag 10 bis 12 Uhr", times: times("2026-11-30T10:00+01:00..12:00")},
	{name: "vormittag zwischen neun und elf", text: "morgen vormittag zwischen neun und elf",
		times: times("2026-11-25T09:00+01:00..11:00")},
	{name: "ab drei", text: "ab drei am Montag", times: times("2026-11-30T15:00+01:00..")},
	{name: "ab 15 uhr", text: "morgen ab 15 Uhr", times: times("2026-11-25T15:00+01:00..")},
	{name: "nach 16 uhr", text: "nach 16 Uhr am Donnerstag", times: times("2026-11-26T16:00+01:00..")},
	{name: "fruehestens", text: "Donnerstag frühestens um 17 Uhr", times: times("2026-11-26T17:00+01:00..")},
	{name: "spaetestens 12", text: "übermorgen spätestens 12", times: times("..2026-11-26T12:00+01:00")},
	{name: "bis spaetestens halb zwoelf", text: "am Freitag bis spätestens halb zwölf", times: times("..2026-11-27T11:30+01:00")},
	{name: "bis 12 uhr", text: "bis 12 Uhr morgen", times: times("..2026-11-25T12:00+01:00")},
	{name: "vor 12 uhr", text: "vor 12 Uhr am Freitag", times: times("..2026-11-27T12:00+01:00")},
	{name: "heute nachmittag", text: "heute nachmittag", times: times("2026-11-24T13:00+01:00..18:00")},
	{name: "heute abend clamped to hours", text: "heute abend", times: times("2026-11-24T17:00+01:00..18:00")},
	{name: "mittags", text: "mittags am Freitag", times: times("2026-11-27T11:30+01:00..14:00")},
	{name: "morgens", text: "Montag morgens", times: times("2026-11-30T09:00+01:00..10:00")},
	{name: "heute morgen is a part of today", text: "heute Morgen hat keiner abgenommen", ref: "2026-11-24 08:00",
		times: times("2026-11-24T09:00+01:00..10:00")},
}

var holidays = []phrase{
	{name: "heiligabend", text: "Heiligabend", times: times("2026-12-24")},
	{name: "heiliger abend", text: "am heiligen Abend um zehn", times: times("2026-12-24T10:00+01:00")},
	{name: "silvester vormittags", text: "an Silvester vormittags", times: times("2026-12-31T09:00+01:00..12:00")},
	{name: "neujahr", text: "Neujahr", times: times("2027-01-01")},
	{name: "ostermontag", text: "Ostermontag", times: times("2027-03-29")},
	{name: "karfreitag", text: "Karfreitag", times: times("2027-03-26")},
	{name: "pfingstmontag", text: "Pfingstmontag", times: times("2027-05-17")},
	{name: "christi himmelfahrt", text: "Christi Himmelfahrt", times: times("2027-05-06")},
	{name: "tag der deutschen einheit", text: "am Tag der Deutschen Einheit", times: times("2027-10-03")},
	{name: "erster mai", text: "am 1. Mai", times: times("2027-05-01")},
	{name: "zweiter weihnachtsfeiertag", text: "zweiter Weihnachtsfeiertag um 10", times: times("2026-12-26T10:00+01:00")},
	{name: "erster weihnachtsfeiertag", text: "am ersten Weihnachtsfeiertag", times: times("2026-12-25")},
	{name: "fronleichnam", text: "Fronleichnam", times: times("2027-05-27")},
	{name: "rosenmontag", text: "Rosenmontag", times: times("2027-02-08")},
	{name: "ostermontag this year", text: "Ostermontag", ref: "2026-03-01 10:00", times: times("2026-04-06")},
	{name: "karfreitag this year", text: "Karfreitag", ref: "2026-03-01 10:00", times: times("2026-04-03")},
	{name: "christmas eve", text: "christmas eve", times: times("2026-12-24")},
}

// The clocks go forward on 29 March 2026 (02:00 CET → 03:00 CEST) and back on 25 October 2026.
var daylightSaving = []phrase{
	{name: "spring sunday ten", text: "Sonntag um zehn", ref: "2026-03-27 10:00", times: times("2026-03-29T10:00+02:00")},
	{name: "spring uebermorgen halb drei", text: "übermorgen um halb drei", ref: "2026-03-27 10:00",
		times: times("2026-03-29T14:30+02:00")},
	{name: "spring monday nine", text: "Montag um neun", ref: "2026-03-27 10:00", times: times("2026-03-30T09:00+02:00")},
	{name: "spring morgen frueh from saturday night", text: "morgen früh um acht", ref: "2026-03-28 20:00",
		times: times("2026-03-29T08:00+02:00")},
	{name: "spring next week tuesday", text: "nächste Woche Dienstag um 14 Uhr", ref: "2026-03-27 10:00",
		times: times("2026-03-31T14:00+02:00")},
	{name: "spring missing hour moves forward", text: "Sonntag um halb drei morgens", ref: "2026-03-27 10:00",
		times: times("2026-03-29T03:30+02:00")},
	{name: "spring heute before the change", text: "heute um zehn", ref: "2026-03-29 01:30",
		times: times("2026-03-29T10:00+02:00")},
	{name: "spring in einer woche", text: "in einer Woche um 9", ref: "2026-03-25 10:00",
		times: times("2026-04-01T09:00+02:00")},
	{name: "autumn sunday ten", text: "Sonntag um 10", ref: "2026-10-23 10:00", times: times("2026-10-25T10:00+01:00")},
	{name: "autumn monday nine", text: "Montag um neun", ref: "2026-10-23 10:00", times: times("2026-10-26T09:00+01:00")},
	{name: "autumn in drei tagen", text: "in drei Tagen um elf", ref: "2026-10-23 10:00",
		times: times("2026-10-26T11:00+01:00")},
	{name: "autumn saturday halb drei", text: "morgen um halb drei", ref: "2026-10-23 10:00",
		times: times("2026-10-24T14:30+02:00")},
	{name: "autumn naechsten mittwoch", text: "nächsten Mittwoch", ref: "2026-10-23 10:00", times: times("2026-10-28")},
	{name: "autumn morgen from sunday", text: "morgen um 9", ref: "2026-10-25 12:00", times: times("2026-10-26T09:00+01:00")},
}

// Said on Wednesday, 30 December 2026.
var turnOfYear = []phrase{
	{name: "year end zweiter januar", text: "am 2. Januar", ref: "2026-12-30 10:00", times: times("2027-01-02")},
	{name: "year end zweiten januar words", text: "am zweiten Januar um zehn", ref: "2026-12-30 10:00",
		times: times("2027-01-02T10:00+01:00")},
	{name: "year end neujahr", text: "Neujahr", ref: "2026-12-30 10:00", times: times("2027-01-01")},
	{name: "year end silvester elf", text: "Silvester um elf", ref: "2026-12-30 10:00", times: times("2026-12-31T11:00+01:00")},
	{name: "year end uebermorgen", text: "übermorgen", ref: "2026-12-30 10:00", times: times("2027-01-01")},
	{name: "year end naechsten montag", text: "nächsten Montag", ref: "2026-12-30 10:00", times: times("2027-01-04")},
	{name: "year end in einer woche", text: "in einer Woche", ref: "2026-12-30 10:00", times: times("2027-01-06")},
	{name: "year end past date is next year", text: "am 29.12.", ref: "2026-12-30 10:00", times: times("2027-12-29")},
	{name: "year end today's date", text: "am 30.12. um 15 Uhr", ref: "2026-12-30 10:00", times: times("2026-12-30T15:00+01:00")},
	{name: "year end heilige drei koenige", text: "Heilige Drei Könige", ref: "2026-12-30 10:00", times: times("2027-01-06")},
	{name: "year end next week", text: "nächste Woche", ref: "2026-12-30 10:00", times: times("week 2027-01-04")},
	{name: "year end dotted", text: "am 4.1. um 9", ref: "2026-12-30 10:00", times: times("2027-01-04T09:00+01:00")},
	{name: "year end in zwei wochen", text: "in zwei Wochen", ref: "2026-12-30 10:00", times: times("2027-01-13")},
}

var ambiguous = []phrase{
	{name: "naechsten donnerstag early in the week", text: "nächsten Donnerstag", times: times("2026-11-26", "2026-12-03")},
	{name: "naechsten mittwoch early in the week", text: "nächsten Mittwoch um 10",
		times: times("2026-11-25T10:00+01:00", "2026-12-02T10:00+01:00")},
	{name: "dienstag said on tuesday", text: "Dienstag", times: times("2026-11-24", "2026-12-01")},
	{name: "dienstag 16 uhr said on tuesday", text: "Dienstag um 16 Uhr",
		times: times("2026-11-24T16:00+01:00", "2026-12-01T16:00+01:00")},
	{name: "um acht both open", text: "morgen um acht", late: true,
		times: times("2026-11-25T08:00+01:00", "2026-11-25T20:00+01:00")},
	{name: "um acht early call both open", text: "um acht", late: true, ref: "2026-11-24 07:00",
		times: times("2026-11-24T08:00+01:00", "2026-11-24T20:00+01:00")},
	{name: "um sieben both closed", text: "morgen um sieben", times: times("2026-11-25T07:00+01:00", "2026-11-25T19:00+01:00")},
	{name: "weekday and date disagree", text: "Dienstag, den 3. Dezember", times: times("2026-12-03", "2026-12-01")},
	{name: "dienstagvormittag said on tuesday", text: "Dienstagvormittag",
		times: times("2026-11-24T09:00+01:00..12:00", "2026-12-01T09:00+01:00..12:00")},
	{name: "donnerstag oder freitag um drei", text: "Donnerstag oder Freitag um drei",
		times: times("2026-11-26T15:00+01:00", "2026-11-27T15:00+01:00")},
	{name: "um drei oder um vier morgen", text: "um drei oder um vier morgen",
		times: times("2026-11-25T15:00+01:00", "2026-11-25T16:00+01:00")},
	{name: "haarschnitt damen or herren", text: "ein Haarschnitt bitte", service: "et-damen", alts: []string{"et-herren"}},
	{name: "next friday at noon", text: "next friday at noon", times: times("2026-11-27T12:00+01:00", "2026-12-04T12:00+01:00")},
	{name: "correction keeps last", text: "morgen um drei, nein, lieber um vier", times: times("2026-11-25T16:00+01:00")},
	{name: "am wochenende", text: "am Wochenende", times: times("2026-11-28", "2026-11-29")},
	{name: "um acht closed both ways no date", text: "um acht",
		times: times("2026-11-24T20:00+01:00", "2026-11-25T08:00+01:00")},
	{name: "morgen oder uebermorgen", text: "morgen oder übermorgen", times: times("2026-11-25", "2026-11-26")},
	{name: "correction of weekday", text: "nein nicht am Montag sondern am Mittwoch", times: times("2026-11-25")},
	{name: "correction of clock", text: "zehn Uhr geht nicht, lieber elf Uhr", times: times("2026-11-24T11:00+01:00")},
	{name: "correction of part of day", text: "vormittags geht bei mir nicht, nur nachmittags",
		times: times("2026-11-24T13:00+01:00..18:00")},
}

var noDate = []phrase{
	{name: "guten morgen is a greeting", text: "Guten Morgen, ich hätte gern einen Termin", action: book},
	{name: "morgen greeting with name", text: "Morgen! Hier ist Frau Müller", action: none,
		caller: &routing.Caller{Name: "Frau Müller"}},
	{name: "morgen greeting unpunctuated", text: "morgen hier ist müller", caller: &routing.Caller{Name: "Müller"}},
	{name: "guten abend", text: "Guten Abend, ist da der Salon?", action: none},
	{name: "frueher is no date", text: "geht es auch früher", action: none},
	{name: "so is no sunday", text: "so, ich wollte nur fragen", action: none},
	{name: "diaetberatung is no date", text: "ich hätte gern eine Diätberatung", action: book, service: "et-diaet"},
	{name: "um 2 personen", text: "ich brauche einen Termin für um 2 Personen", action: book},
	{name: "zwei kinder", text: "zwei Kinder und ein Erwachsener zum Haare schneiden", service: "et-damen"},
	{name: "rechnung", text: "ich rufe wegen meiner Rechnung an", action: none},
	{name: "preis manikuere", text: "was kostet eine Maniküre", action: info, service: "et-mani"},
	{name: "oeffnungszeiten", text: "wie sind Ihre Öffnungszeiten", action: info},
	{name: "schoenen tag", text: "danke schön, einen schönen Tag noch", action: none},
	{name: "zehn minuten zu spaet", text: "ich bin zehn Minuten zu spät", caller: &routing.Caller{}},
	{name: "ein termin is no one o'clock", text: "ich möchte um einen Termin bitten", action: book},
	{name: "hallo", text: "hallo", action: none},
	{name: "empty", text: "", action: none},
	{name: "vor zwei wochen", text: "ich war vor zwei Wochen schon da", action: none},
	{name: "good morning english", text: "good morning, this is Sarah Connor", caller: &routing.Caller{Name: "Sarah Connor"}},
	{name: "schoenen abend", text: "Ihnen auch einen schönen Abend", action: none},
	{name: "gute nacht", text: "na dann gute Nacht", action: none},
}

var actions = []phrase{
	{name: "verschieben freitag auf montag", text: "ich möchte meinen Termin am Freitag auf Montag verschieben",
		action: resch, times: times("2026-11-30"), orig: times("2026-11-27")},
	{name: "umbuchen", text: "können wir den Termin von Donnerstag auf nächsten Dienstag umbuchen", action: resch,
		times: times("2026-12-01"), orig: times("2026-11-26")},
	{name: "termin verschieben", text: "Termin verschieben bitte", action: resch},
	{name: "absagen", text: "ich muss leider absagen", action: canc},
	{name: "stornieren morgen", text: "ich möchte meinen Termin morgen stornieren", action: canc, times: times("2026-11-25")},
	{name: "sage ab separable", text: "ich sage den Termin am Freitag ab", action: canc, times: times("2026-11-27")},
	{name: "nicht absagen sondern verschieben", text: "nicht absagen sondern verschieben", action: resch},
	{name: "nicht da", text: "ich bin morgen nicht da", action: canc, times: times("2026-11-25")},
	{name: "geoeffnet samstag", text: "haben Sie am Samstag geöffnet", action: info, times: times("2026-11-28")},
	{name: "preis herrenhaarschnitt", text: "was kostet ein Herrenhaarschnitt", action: info, service: "et-herren"},
	{name: "neuer termin", text: "ich brauche einen neuen Termin", action: book},
	{name: "buchen", text: "ich würde gern eine Massage buchen", action: book, service: "et-massage"},
	{name: "wie lange offen heute", text: "wie lange haben Sie heute offen", action: info, times: times("2026-11-24")},
}

var english = []phrase{
	{name: "en next tuesday 3pm", text: "I'd like to book an appointment for next Tuesday at 3pm", action: book,
		times: times("2026-12-01T15:00+01:00")},
	{name: "en tomorrow morning", text: "tomorrow morning please", times: times("2026-11-25T09:00+01:00..12:00")},
	{name: "en december 3rd half past two", text: "on December 3rd at half past two", times: times("2026-12-03T14:30+01:00")},
	{name: "en day after tomorrow", text: "the day after tomorrow at 10 am", times: times("2026-11-26T10:00+01:00")},
	{name: "en between 2 and 4 pm", text: "between 2 and 4 pm on Friday", times: times("2026-11-27T14:00+01:00..16:00")},
	{name: "en after 3pm", text: "after 3pm tomorrow", times: times("2026-11-25T15:00+01:00..")},
	{name: "en before noon", text: "before noon on Monday", times: times("..2026-11-30T12:00+01:00")},
	{name: "en on the 15th", text: "can I come in on the 15th", times: times("2026-12-15")},
	{name: "en quarter past ten", text: "this Friday at quarter past ten", times: times("2026-11-27T10:15+01:00")},
	{name: "en quarter to four", text: "quarter to four on Thursday", times: times("2026-11-26T15:45+01:00")},
	{name: "en in two weeks", text: "in two weeks", times: times("2026-12-08")},
	{name: "en next week", text: "sometime next week", times: times("week 2026-11-30")},
	{name: "en cancel with name", text: "my name is John Smith and I need to cancel my appointment", action: canc,
		caller: &routing.Caller{Name: "John Smith"}},
	{name: "en reschedule to friday", text: "I want to reschedule my appointment to Friday", action: resch,
		times: times("2026-11-27")},
	{name: "en opening hours", text: "what are your opening hours", action: info},
	{name: "en manicure price", text: "how much is a manicure", action: info, service: "et-mani"},
	{name: "en december 24th", text: "December 24th at 11", times: times("2026-12-24T11:00+01:00")},
	{name: "en dec 3 4 pm", text: "Dec 3 at 4 pm", times: times("2026-12-03T16:00+01:00")},
	{name: "en 9 am tomorrow", text: "at 9 am tomorrow", times: times("2026-11-25T09:00+01:00")},
	{name: "en 7 pm thursday", text: "at 7 pm on Thursday", times: times("2026-11-26T19:00+01:00")},
	{name: "en tonight at 7", text: "tonight at 7", times: times("2026-11-24T19:00+01:00")},
	{name: "en twenty first", text: "on the twenty first of December", times: times("2026-12-21")},
	{name: "en third of december", text: "the third of December at noon", times: times("2026-12-03T12:00+01:00")},
	{name: "en weekday date and pm", text: "Tuesday the 1st of December at 2:30 pm", times: times("2026-12-01T14:30+01:00")},
	{name: "en at three is no email", text: "see you at three pm", caller: &routing.Caller{}, times: times("2026-11-24T15:00+01:00")},
}

var asrNoise = []phrase{
	{name: "asr fillers", text: "äh ja hallo ich hätt gern nen termin für morgen um halb drei äh", action: book,
		times: times("2026-11-25T14:30+01:00")},
	{name: "asr joined haareschneiden", text: "ja also ich wollte ähm n termin zum haareschneiden am fünfzehnten zwölften",
		service: "et-damen", times: times("2026-12-15")},
	{name: "asr gegen vierzehn uhr", text: "ne also lieber so gegen vierzehn uhr am donnerstag", times: times("2026-11-26T14:00+01:00")},
	{name: "asr split compound with staff", text: "damen haar schnitt freitag nachmittag bei maria", service: "et-damen",
		staff: "s-maria", times: times("2026-11-27T13:00+01:00..18:00")},
	{name: "asr typo service", text: "herren haarschnit morgen", service: "et-herren", times: times("2026-11-25")},
	{name: "asr no umlauts uebermorgen", text: "ubermorgen um funf vor halb vier", times: times("2026-11-26T15:25+01:00")},
	{name: "asr nachsten without umlaut", text: "nachsten dienstag um zwei", times: times("2026-12-01T14:00+01:00")},
	{name: "asr zwolf uhr", text: "morgen zwolf uhr", times: times("2026-11-25T12:00+01:00")},
	{name: "asr ascii transliteration", text: "uebermorgen um viertel nach drei", times: times("2026-11-26T15:15+01:00")},
	{name: "asr mittwoch naechster woche", text: "um vierzehn uhr dreissig am mittwoch nächster woche",
		times: times("2026-12-02T14:30+01:00")},
	{name: "asr 15uhr glued", text: "morgen 15uhr", times: times("2026-11-25T15:00+01:00")},
	{name: "asr ordinal without dot", text: "am 3 dezember um 10", times: times("2026-12-03T10:00+01:00")},
	{name: "asr sechszehn misspelt", text: "morgen um sechszehn uhr", times: times("2026-11-25T16:00+01:00")},
	{name: "asr dreisig", text: "morgen um elf uhr dreisig", times: times("2026-11-25T11:30+01:00")},
	{name: "asr capitalised shouting", text: "MORGEN UM HALB DREI", times: times("2026-11-25T14:30+01:00")},
}

var catalogue = []phrase{
	{name: "alias straehnchen", text: "strähnchen machen lassen am samstag um zehn", service: "et-farbe",
		times: times("2026-11-28T10:00+01:00")},
	{name: "alias naegel machen", text: "nägel machen am freitag", service: "et-mani", times: times("2026-11-27")},
	{name: "split rueckenmassage", text: "ruecken massage am montag um elf", service: "et-massage",
		times: times("2026-11-30T11:00+01:00")},
	{name: "split diaet beratung", text: "ich hätte gerne ne diät beratung", service: "et-diaet"},
	{name: "alias ernaehrungsberatung split", text: "ernaehrungs beratung bitte", service: "et-diaet"},
	{name: "alias bart trimmen", text: "nur den Bart trimmen", service: "et-bart"},
	{name: "staff frau schmidt", text: "mit Frau Schmidt am Freitag um zehn", staff: "s-maria",
		times: times("2026-11-27T10:00+01:00")},
	{name: "staff herrn becker", text: "zu Herrn Becker nächste Woche Dienstag", staff: "s-becker", times: times("2026-12-01")},
	{name: "staff bei der anna", text: "bei der Anna morgen nachmittag", staff: "s-anna",
		times: times("2026-11-25T13:00+01:00..18:00")},
	{name: "staff fuzzy marija", text: "bei marija bitte", staff: "s-maria"},
	{name: "staff fuzzy beker", text: "zu herrn beker", staff: "s-becker"},
	{name: "staff uncued", text: "kann Jonas mich morgen drannehmen", staff: "s-jonas", times: times("2026-11-25")},
	{name: "staff english with", text: "with Anna on Monday", staff: "s-anna", times: times("2026-11-30")},
	{name: "staff and service", text: "Damenhaarschnitt bei Maria Schmidt übermorgen um elf", service: "et-damen",
		staff: "s-maria", times: times("2026-11-26T11:00+01:00")},
	{name: "diaetberatung montag", text: "Diätberatung am Montag", service: "et-diaet", times: times("2026-11-30")},
	// A name made of other names: said in full, it is that service, not its parts.
	{name: "name made of names", text: "Waschen, Schneiden, Föhnen Mehmet am Freitag um 10 Uhr", service: "et-wsf",
		times: times("2026-11-27T10:00+01:00")},
	{name: "alias made of names", text: "einmal waschen und schneiden bitte", service: "et-wsf"},
	{name: "part alone", text: "nur schneiden am Freitag", service: "et-damen", times: times("2026-11-27")},
	{name: "two services named", text: "schneiden und färben", service: "et-damen", alts: []string{"et-farbe"}},
}

var callers = []phrase{
	{name: "name and landline", text: "mein Name ist Max Mustermann, meine Nummer ist null drei null eins zwei drei vier fünf sechs sieben acht",
		caller: &routing.Caller{Name: "Max Mustermann", Phone: "+493012345678"}},
	{name: "hier spricht", text: "hier spricht Frau Özdemir", caller: &routing.Caller{Name: "Frau Özdemir"}},
	{name: "ich heisse", text: "ich heiße Lena", caller: &routing.Caller{Name: "Lena"}},
	{name: "caller named like staff", text: "ich bin Anna Klein und hätte gern einen Termin",
		caller: &routing.Caller{Name: "Anna Klein"}},
	{name: "mobile in words", text: "meine Nummer ist null eins sieben eins, zwei drei vier, fünf sechs sieben acht",
		caller: &routing.Caller{Phone: "+491712345678"}},
	{name: "plus vier neun", text: "plus vier neun eins sieben eins eins zwei drei vier fünf sechs sieben",
		caller: &routing.Caller{Phone: "+491711234567"}},
	{name: "digits spoken singly", text: "erreichbar unter 0 1 5 1 2 3 4 5 6 7 8 9", caller: &routing.Caller{Phone: "+4915123456789"}},
	{name: "email spelled", text: "meine E-Mail ist max punkt muster at gmx punkt de",
		caller: &routing.Caller{Email: "max.muster@gmx.de"}},
	{name: "email underscore aet", text: "schreiben Sie an anna unterstrich klein ät web punkt de",
		caller: &routing.Caller{Email: "anna_klein@web.de"}},
	{name: "email typed", text: "meine Mail ist info@salon-beispiel.de", caller: &routing.Caller{Email: "info@salon-beispiel.de"}},
	{name: "my name is", text: "hi my name is Peter Parker", caller: &routing.Caller{Name: "Peter Parker"}},
	{name: "caller named like staff asks for staff", text: "hier ist Maria Huber, ich möchte zu Herrn Becker",
		staff: "s-becker", caller: &routing.Caller{Name: "Maria Huber"}},
}
