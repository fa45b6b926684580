// Package routing understands what a caller wants and when: action, service, staff, date and
// time, name, phone number and e-mail, from noisy German or English ASR text.
//
// Everything here is deterministic and pure: the same words, reference time, time zone and
// catalogue always give the same answer. Language models guess dates wrongly; this package
// resolves them instead, and returns candidates rather than guessing when a phrase is ambiguous.
package routing

import (
	"cmp"
	"time"

	"github.com/askproai/backend/pkg/phone"
)

// maxInputBytes bounds the work per utterance: a transcript longer than this is cut, so no
// input can make parsing slow (every matcher looks ahead a fixed number of tokens).
const maxInputBytes = 4096

// Action is what the caller wants to do.
type Action string

// The actions a caller can want.
const (
	ActionNone       Action = "none"
	ActionBook       Action = "book"
	ActionCancel     Action = "cancel"
	ActionReschedule Action = "reschedule"
	ActionInfo       Action = "info"
)

// Kind says how to read a When.
type Kind string

// The kinds of resolved time.
const (
	KindAt     Kind = "at"     // a point in time: Start
	KindRange  Kind = "range"  // a span within one day: Start to End
	KindAfter  Kind = "after"  // "ab 15 Uhr": Start, End is closing time or midnight
	KindBefore Kind = "before" // "spätestens 12": End, Start is opening time or midnight
	KindDay    Kind = "day"    // a whole day: Start midnight, End next midnight
	KindWeek   Kind = "week"   // a whole week, Monday to Monday
)

// When is one resolved reading of what the caller said, in the branch's time zone.
type When struct {
	Kind     Kind
	Start    time.Time
	End      time.Time // zero for KindAt
	Readback string    // German, to be read back to the caller
	// DateImplied is set when the caller named only a time of day and the date is the next
	// day on which that time is still ahead: worth confirming.
	DateImplied bool
}

// StartISO is Start in RFC 3339, with the branch's offset.
func (w When) StartISO() string { return isoOrEmpty(w.Start) }

// EndISO is End in RFC 3339, or "" when the reading has no end.
func (w When) EndISO() string { return isoOrEmpty(w.End) }

func isoOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// Match is a catalogue entry the caller named, with how sure we are (0..1).
type Match struct {
	ID    string
	Name  string
	Score float64
}

// Caller holds what callers say about themselves.
type Caller struct {
	Name  string
	Phone string // E.164 when it is a valid number, the spoken digits otherwise
	Email string
}

// Intent is everything understood from one utterance.
type Intent struct {
	Action           Action
	ActionConfidence float64
	Service          *Match
	// ServiceAlternatives are other services that matched about as well as Service: ask back.
	ServiceAlternatives []Match
	Staff               *Match
	StaffAlternatives   []Match
	// Times are the readings of the requested time. More than one means the phrase was
	// ambiguous and the caller must be asked; Ambiguous is then set.
	Times     []When
	Ambiguous bool
	// Original is the appointment being moved, when a reschedule names both old and new time.
	Original []When
	Caller   Caller
	// Confidence summarises how much of the utterance was understood (0..1).
	Confidence float64
}

// AnalyzeIntent understands one utterance against a branch's catalogue, with ref (the start of
// the call) and loc (the branch's time zone) anchoring every relative date. Build a Parser
// once per catalogue instead when analysing many utterances.
func AnalyzeIntent(text string, ref time.Time, loc *time.Location, cat Catalog) Intent {
	return NewParser(cat).Analyze(text, ref, loc)
}

// Parser holds a catalogue prepared for matching. It is safe for concurrent use.
type Parser struct {
	services []entry
	staff    []entry
	hours    OpeningHours
	region   string
}

// NewParser prepares cat for repeated analysis.
func NewParser(cat Catalog) *Parser {
	return &Parser{
		services: serviceEntries(cat.EventTypes),
		staff:    staffEntries(cat.Staff),
		hours:    cat.Hours.orDefault(),
		region:   cmp.Or(cat.Region, phone.DefaultRegion),
	}
}

// Analyze understands one utterance; see AnalyzeIntent.
func (p *Parser) Analyze(text string, ref time.Time, loc *time.Location) Intent {
	if loc == nil {
		loc = time.UTC
	}
	toks := tokenize(text)
	ref = ref.In(loc)
	var in Intent
	in.Action, in.ActionConfidence = classifyAction(toks)
	ws := windows(toks)
	in.Service, in.ServiceAlternatives = bestMatches(p.services, ws, serviceThreshold)
	var said []span
	in.Caller, said = extractCaller(toks, p.region)
	in.Staff, in.StaffAlternatives = p.matchStaff(toks, ws, said)
	mentions := scanMentions(toks, civilOf(ref))
	in.Times, in.Original = p.resolve(mentions, ref, in.Action == ActionReschedule)
	in.Ambiguous = len(in.Times) > 1 || len(in.ServiceAlternatives) > 0 || len(in.StaffAlternatives) > 0
	if in.Action == ActionNone && (in.Service != nil || len(in.Times) > 0) {
		// Naming a service or a time without a verb ("morgen um drei, Haarschnitt") is a
		// booking request in all but name.
		in.Action, in.ActionConfidence = ActionBook, 0.5
	}
	in.Confidence = overallConfidence(in)
	return in
}

func overallConfidence(in Intent) float64 {
	c := in.ActionConfidence
	if in.Action == ActionNone {
		c = 0.2
	}
	if in.Service != nil {
		c = (c + in.Service.Score) / 2
	}
	if in.Ambiguous {
		c *= 0.7
	}
	return round2(c)
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
