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

// AuthChangedEvent is the payload of auth.changed, published when API keys are created or
// revoked and when a tenant is deactivated or activated. Every gateway replica reads it
// (rpc.SubscribeAll) and drops or admits the keys in its caches at once.
type AuthChangedEvent struct {
	CompanyID string `msgpack:"company_id" json:"company_id"`
	// KeyDigests are the hex SHA-256 digests of the keys concerned.
	KeyDigests []string `msgpack:"key_digests,omitempty" json:"key_digests,omitempty"`
	// Revoked: the keys (with Tenant, every key of the tenant) no longer authenticate.
	// Otherwise they were created or re-admitted and may authenticate at once.
	Revoked bool `msgpack:"revoked" json:"revoked"`
	// Tenant: the change is the tenant's deactivation or activation.
	Tenant bool `msgpack:"tenant,omitempty" json:"tenant,omitempty"`
}
