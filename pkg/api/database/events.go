package database

// AppointmentEvent is the payload of booking.created, booking.cancelled and booking.rescheduled.
// For a reschedule, Appointment is the new one and PreviousID the one it replaced.
type AppointmentEvent struct {
	CompanyID   string      `msgpack:"company_id" json:"company_id"`
	Appointment Appointment `msgpack:"appointment" json:"appointment"`
	PreviousID  string      `msgpack:"previous_id,omitempty" json:"previous_id,omitempty"`
}

// CallSavedEvent is the payload of call.saved.
type CallSavedEvent struct {
	CompanyID     string `msgpack:"company_id" json:"company_id"`
	CallID        string `msgpack:"call_id" json:"call_id"`
	RetellCallID  string `msgpack:"retell_call_id" json:"retell_call_id"`
	Status        string `msgpack:"status" json:"status"`
	CustomerID    string `msgpack:"customer_id,omitempty" json:"customer_id,omitempty"`
	AppointmentID string `msgpack:"appointment_id,omitempty" json:"appointment_id,omitempty"`
	// Derived: the save only added what was derived from the call (SaveCallParams.Derived).
	Derived bool `msgpack:"derived,omitempty" json:"derived,omitempty"`
}
