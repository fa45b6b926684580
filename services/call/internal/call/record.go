package call

import (
	"bytes"
	"maps"
	"time"
)

// RecordingNote travels with every recording URL: Retell's URLs stop working after a while,
// so a consumer that needs the audio must copy it soon after the call ends.
const RecordingNote = "recording_url expires upstream at Retell (about 24 h with signed URLs, " +
	"about 10 min when sensitive-data storage is off); copy the file if it must be kept"

// Metadata keys the record writes. Extraction results use the keys in metadata.go; the two
// sets never overlap, so a key-wise merge of the stored metadata never loses either.
const (
	MetaCallType            = "call_type"
	MetaDirection           = "direction"
	MetaAgentID             = "agent_id"
	MetaAgentVersion        = "agent_version"
	MetaDisconnectionReason = "disconnection_reason"
	MetaRecordingNote       = "recording_url_note"
	MetaRetellMetadata      = "retell_metadata"
	MetaDynamicVariables    = "dynamic_variables"
	MetaCollectedVariables  = "collected_variables"
	MetaAnalysis            = "call_analysis"
)

// Record is what the service knows about one call after any set of webhooks. It is a
// join-semilattice: Merge is commutative, associative and idempotent, so every order and any
// number of duplicates of the same webhooks merge into the same Record.
type Record struct {
	RetellCallID    string
	CompanyID       string
	BranchID        string
	Status          Status
	FromNumber      string // empty for web calls
	ToNumber        string // empty for web calls
	CustomerName    string // filled by extraction, never by a webhook
	StartedAt       time.Time
	EndedAt         time.Time
	DurationSeconds *int
	RecordingURL    string // expires upstream, see RecordingNote
	Transcript      string
	Sentiment       Sentiment // Retell's user_sentiment, when analysed
	Metadata        map[string]any
	Raw             []byte // the body of the highest-ranked webhook
	// Derived marks the extraction's own write: no new job is started by it.
	Derived bool
	// IfVersion makes a write conditional: it applies only while the stored call is at this
	// StoredCall.Version, else the store answers ErrStale. Zero: unconditional.
	IfVersion int64
}

// CustomerNumber is the other party's number, the one the call's customer is kept under: the
// caller's on an inbound call, the number called on an outbound one (our own line is never a
// customer).
func (r Record) CustomerNumber() string {
	if d, _ := r.Metadata[MetaDirection].(string); d == "outbound" {
		return r.ToNumber
	}
	return r.FromNumber
}

// FromWebhook is the Record that one webhook proves on its own.
func FromWebhook(w Webhook) (Record, error) {
	c := w.Call
	st, ok := statusOf(w.Event, c.CallStatus)
	if !ok {
		return Record{}, ErrUnsupportedEvent
	}
	r := Record{
		RetellCallID: c.CallID,
		Status:       st,
		FromNumber:   c.FromNumber,
		ToNumber:     c.ToNumber,
		StartedAt:    c.StartedAt,
		EndedAt:      c.EndedAt,
		RecordingURL: c.RecordingURL,
		Transcript:   c.Transcript,
		Raw:          w.Raw,
		Metadata:     retellFacts(c),
	}
	if st.Rank() >= StatusEnded.Rank() {
		r.DurationSeconds = durationSeconds(c)
	}
	if r.StartedAt.IsZero() && !r.EndedAt.IsZero() && r.DurationSeconds != nil {
		r.StartedAt = r.EndedAt.Add(-time.Duration(*r.DurationSeconds) * time.Second)
	}
	if c.Analysis != nil {
		r.Sentiment = ParseSentiment(c.Analysis.UserSentiment)
	}
	return r, nil
}

func durationSeconds(c RetellCall) *int {
	var ms int64
	switch {
	case c.DurationMS > 0:
		ms = c.DurationMS
	case !c.StartedAt.IsZero() && c.EndedAt.After(c.StartedAt):
		ms = c.EndedAt.Sub(c.StartedAt).Milliseconds()
	case c.DurationMS == 0 && !c.EndedAt.IsZero():
		ms = 0
	default:
		return nil
	}
	s := int((ms + 500) / 1000)
	return &s
}

// retellFacts are the call-object fields kept in the metadata column. The access token of web
// calls is deliberately not among them.
func retellFacts(c RetellCall) map[string]any {
	m := map[string]any{}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put(MetaCallType, c.CallType)
	put(MetaDirection, c.Direction)
	put(MetaAgentID, c.AgentID)
	put(MetaAgentVersion, c.AgentVersion)
	put(MetaDisconnectionReason, c.DisconnectionReason)
	if c.RecordingURL != "" {
		m[MetaRecordingNote] = RecordingNote
	}
	if len(c.Metadata) > 0 {
		m[MetaRetellMetadata] = c.Metadata
	}
	if len(c.DynamicVariables) > 0 {
		m[MetaDynamicVariables] = c.DynamicVariables
	}
	if len(c.CollectedVariables) > 0 {
		m[MetaCollectedVariables] = c.CollectedVariables
	}
	if a := c.Analysis; a != nil {
		m[MetaAnalysis] = analysisFacts(a)
	}
	return m
}

func analysisFacts(a *RetellAnalysis) map[string]any {
	m := map[string]any{}
	if a.Summary != "" {
		m["call_summary"] = a.Summary
	}
	if a.UserSentiment != "" {
		m["user_sentiment"] = a.UserSentiment
	}
	if a.Successful != nil {
		m["call_successful"] = *a.Successful
	}
	if a.InVoicemail != nil {
		m["in_voicemail"] = *a.InVoicemail
	}
	if len(a.Custom) > 0 {
		m["custom_analysis_data"] = a.Custom
	}
	return m
}

// outranks reports whether a's values win over b's: the higher status wins; between equal
// statuses (duplicates, or ended against error) the raw bodies decide, so the choice does not
// depend on arrival order.
func (r Record) outranks(o Record) bool {
	if r.Status.Rank() != o.Status.Rank() {
		return r.Status.Rank() > o.Status.Rank()
	}
	return bytes.Compare(r.Raw, o.Raw) >= 0
}

// Merge combines two views of the same call. Every field takes the higher-ranked record's
// value when it has one and the other's otherwise; metadata merges key by key the same way.
func Merge(a, b Record) Record {
	hi, lo := a, b
	if !a.outranks(b) {
		hi, lo = b, a
	}
	out := hi
	out.RetellCallID = first(hi.RetellCallID, lo.RetellCallID)
	out.CompanyID = first(hi.CompanyID, lo.CompanyID)
	out.BranchID = first(hi.BranchID, lo.BranchID)
	out.FromNumber = first(hi.FromNumber, lo.FromNumber)
	out.ToNumber = first(hi.ToNumber, lo.ToNumber)
	out.CustomerName = first(hi.CustomerName, lo.CustomerName)
	out.RecordingURL = first(hi.RecordingURL, lo.RecordingURL)
	out.Transcript = first(hi.Transcript, lo.Transcript)
	out.Sentiment = Sentiment(first(string(hi.Sentiment), string(lo.Sentiment)))
	out.StartedAt = firstTime(hi.StartedAt, lo.StartedAt)
	out.EndedAt = firstTime(hi.EndedAt, lo.EndedAt)
	if out.DurationSeconds == nil {
		out.DurationSeconds = lo.DurationSeconds
	}
	if out.Raw == nil {
		out.Raw = lo.Raw
	}
	out.Metadata = MergeMetadata(lo.Metadata, hi.Metadata)
	return out
}

// MergeMetadata returns base with top's keys laid over it; neither input is changed.
func MergeMetadata(base, top map[string]any) map[string]any {
	if len(base) == 0 && len(top) == 0 {
		return nil
	}
	out := make(map[string]any, len(base)+len(top))
	maps.Copy(out, base)
	maps.Copy(out, top)
	return out
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstTime(a, b time.Time) time.Time {
	if !a.IsZero() {
		return a
	}
	return b
}
