package call

// Status is where a call stands. Statuses only move forward: registered < ongoing <
// ended = error < analyzed. A late or duplicate webhook never moves a call back.
type Status string

// The statuses a call moves through.
const (
	StatusRegistered Status = "registered"
	StatusOngoing    Status = "ongoing"
	StatusEnded      Status = "ended"
	StatusError      Status = "error"
	StatusAnalyzed   Status = "analyzed"
)

// Rank orders statuses; unknown statuses rank below registered.
func (s Status) Rank() int {
	switch s {
	case StatusRegistered:
		return 0
	case StatusOngoing:
		return 1
	case StatusEnded, StatusError:
		return 2
	case StatusAnalyzed:
		return 3
	}
	return -1
}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool { return s.Rank() >= 0 }

// Retell lifecycle events the service understands.
const (
	EventStarted  = "call_started"
	EventEnded    = "call_ended"
	EventAnalyzed = "call_analyzed"
)

// statusOf maps a lifecycle event to the status it proves. The event decides, not the call
// object's call_status field (Retell's own samples show call_ended with "registered"); only
// an ended call that reports an error ends as StatusError.
func statusOf(event, callStatus string) (Status, bool) {
	switch event {
	case EventStarted:
		return StatusOngoing, true
	case EventEnded:
		if callStatus == string(StatusError) {
			return StatusError, true
		}
		return StatusEnded, true
	case EventAnalyzed:
		return StatusAnalyzed, true
	}
	return "", false
}
