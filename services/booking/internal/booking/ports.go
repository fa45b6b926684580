package booking

import (
	"context"
	"time"
)

// Store is the database service as the domain sees it. Implementations turn "not found" into
// ErrNotFound, an overlap refused by the exclusion constraint into ErrSlotTaken, and transport
// failures into ErrUpstream. CreateAppointment, CancelAppointment and RescheduleAppointment
// write their outbox event (booking.created / .cancelled / .rescheduled) and audit entry in the
// same transaction as the row.
type Store interface {
	Branch(ctx context.Context, companyID, branchID string) (Branch, error)
	CompanyTimeZone(ctx context.Context, companyID string) (string, error)
	EventTypes(ctx context.Context, companyID, branchID string) ([]EventType, error)
	Staff(ctx context.Context, companyID, branchID string) ([]Staff, error)
	ActiveAppointments(ctx context.Context, companyID, staffID string, from, to time.Time) ([]Booking, error)
	FindOrCreateCustomer(ctx context.Context, companyID string, c Contact) (string, error)
	// Customer is how to reach a customer, read when needed: the database service holds the
	// contact encrypted at rest, and the booking service keeps no copy.
	Customer(ctx context.Context, companyID, customerID string) (Contact, error)
	CreateAppointment(ctx context.Context, a NewAppointment) (Booking, error)
	Appointment(ctx context.Context, companyID, id string) (Booking, error)
	ByConfirmation(ctx context.Context, companyID, number string) (Booking, error)
	ByCustomerPhone(ctx context.Context, companyID, phone string, from time.Time) ([]Booking, error)
	CancelAppointment(ctx context.Context, companyID, id, reason string) (Booking, error)
	RescheduleAppointment(ctx context.Context, m Move) (Booking, error)
	Audit(ctx context.Context, e AuditEntry) error
}

// Calendar is Cal.com through the calcom service. CreateBooking answers ErrSlotTaken when
// Cal.com refuses the time, ErrUpstream when it fails or times out.
type Calendar interface {
	Slots(ctx context.Context, q SlotQuery) ([]time.Time, error)
	CreateBooking(ctx context.Context, b CalendarBooking) (string, error)
	CancelBooking(ctx context.Context, companyID, calcomBookingID, reason string) error
	RescheduleBooking(ctx context.Context, companyID, calcomBookingID string, start time.Time, reason string) (string, error)
	// FindBooking settles a CreateBooking whose answer was lost: the uid of the booking of the
	// Cal.com event type at start made under idempotencyKey, and whether there is a live one.
	FindBooking(ctx context.Context, companyID string, calcomEventTypeID int64, start time.Time, idempotencyKey string) (string, bool, error)
}

// Locker reserves slots so that two requests never book overlapping time of one staff member.
// Reserve answers ErrSlotLocked when a live reservation overlaps; Extend and Release answer
// ErrLockLost when the token no longer holds the reservation (it expired or was released).
type Locker interface {
	Reserve(ctx context.Context, slot Slot, ttl time.Duration) (Lock, error)
	// ReserveAs reserves on behalf of owner (an idempotency key): a live reservation of the
	// same owner is taken over and comes back with Resumed set.
	ReserveAs(ctx context.Context, slot Slot, ttl time.Duration, owner string) (Lock, error)
	Extend(ctx context.Context, lock Lock, ttl time.Duration) (Lock, error)
	Release(ctx context.Context, lock Lock) error
	Reservations(ctx context.Context, staffID string) ([]Lock, error)
	// Lookup finds a live reservation by staff and token (to book under a reserveSlot hold).
	Lookup(ctx context.Context, staffID, token string) (Lock, error)
}

// Ledger keeps what the service itself must remember: idempotent results, reconciliation
// records and the contact of each customer confirmations go to.
type Ledger interface {
	// Begin claims key. A finished claim returns its result and done=true; a running one
	// answers ErrInProgress.
	Begin(ctx context.Context, key string, ttl time.Duration) (res CreateResult, done bool, err error)
	Complete(ctx context.Context, key string, res CreateResult, ttl time.Duration) error
	Abort(ctx context.Context, key string) error
	RecordOrphan(ctx context.Context, o Orphan) (id string, err error)
	Orphans(ctx context.Context) ([]Orphan, error)
	ResolveOrphan(ctx context.Context, id string) error
}

// Notifier delivers a confirmation on every channel the contact can be reached on, at most once
// per event and channel.
type Notifier interface {
	Notify(ctx context.Context, c Confirmation) error
}
