package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/rpc/rpctest"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/calendar"
	"github.com/askproai/backend/services/booking/internal/dbstore"
	"github.com/askproai/backend/services/booking/internal/ledger"
)

const pgStaff = "33333333-3333-3333-3333-333333333333"

// leakyLocker grants every reservation: the split-brain case of a lock that expired
// mid-booking (or a Redis failover that lost it). Only the database can still say no.
type leakyLocker struct{ fence atomic.Int64 }

func (l *leakyLocker) Reserve(_ context.Context, s booking.Slot, ttl time.Duration) (booking.Lock, error) {
	return booking.Lock{Slot: s, Token: rand.Text(), Fence: l.fence.Add(1), ExpiresAt: time.Now().Add(ttl)}, nil
}
func (l *leakyLocker) ReserveAs(ctx context.Context, s booking.Slot, ttl time.Duration, _ string) (booking.Lock, error) {
	return l.Reserve(ctx, s, ttl)
}
func (l *leakyLocker) Extend(_ context.Context, lk booking.Lock, _ time.Duration) (booking.Lock, error) {
	return lk, nil
}
func (*leakyLocker) Release(context.Context, booking.Lock) error                  { return nil }
func (*leakyLocker) Reservations(context.Context, string) ([]booking.Lock, error) { return nil, nil }
func (*leakyLocker) Lookup(context.Context, string, string) (booking.Lock, error) {
	return booking.Lock{}, booking.ErrLockLost
}

// pgAppointments is the database service's appointments.create and listActive against the real
// appointments table, with its exclusion constraint.
type pgAppointments struct{ pool *pgxpool.Pool }

const (
	// lockSchedule is the database service's per-staff transaction lock, without which
	// concurrent overlapping inserts deadlock inside the exclusion constraint (40P01).
	lockSchedule      = `SELECT pg_advisory_xact_lock(hashtextextended('askpro:appointments:' || $1::text, 0))`
	insertAppointment = `INSERT INTO appointments (company_id, branch_id, staff_id, calcom_booking_id, start_time, end_time, confirmation_number)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text, status, confirmation_number`
	selectActive = `SELECT id::text, start_time, end_time FROM appointments
WHERE company_id = $1 AND staff_id = $2 AND status IN ('scheduled', 'confirmed') AND tstzrange(start_time, end_time) && tstzrange($3, $4)`
)

func (p *pgAppointments) register(s *rpc.Server) {
	rpc.Register(s, database.MethodCompaniesGet, func(context.Context, database.CompanyParams) (database.Company, error) {
		return database.Company{ID: testCompany, Name: "Salon", TimeZone: "Europe/Berlin", Active: true}, nil
	})
	rpc.Register(s, database.MethodBranchesGet, func(context.Context, database.BranchParams) (database.Branch, error) {
		return database.Branch{ID: testBranch, Name: "Salon Mitte", TimeZone: "Europe/Berlin", OpeningHours: everyDay}, nil
	})
	rpc.Register(s, database.MethodEventTypesList, func(context.Context, database.CatalogueParams) (database.EventTypeList, error) {
		return database.EventTypeList{EventTypes: []database.EventType{{ID: "cut", CalcomEventTypeID: 7, Name: "Haarschnitt", DurationMinutes: 60, Active: true}}}, nil
	})
	rpc.Register(s, database.MethodStaffList, func(context.Context, database.CatalogueParams) (database.StaffList, error) {
		return database.StaffList{Staff: []database.Staff{{ID: pgStaff, Name: "Anna", EventTypeIDs: []string{"cut"}, Active: true}}}, nil
	})
	rpc.Register(s, database.MethodAuditAppend, func(context.Context, database.AuditAppendParams) (database.Ack, error) {
		return database.Ack{OK: true}, nil
	})
	rpc.Register(s, database.MethodAppointmentsListActive, p.listActive)
	rpc.Register(s, database.MethodAppointmentsCreate, p.create)
}

func (p *pgAppointments) create(ctx context.Context, a database.CreateAppointmentParams) (database.Appointment, error) {
	out := database.Appointment{CompanyID: a.CompanyID, BranchID: a.BranchID, StaffID: a.StaffID, StartTime: a.StartTime, EndTime: a.EndTime}
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockSchedule, a.StaffID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, insertAppointment, a.CompanyID, a.BranchID, a.StaffID, a.CalcomBookingID,
			a.StartTime, a.EndTime, confirmationCode()).Scan(&out.ID, &out.Status, &out.ConfirmationNumber)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23P01" {
		return database.Appointment{}, rpc.NewError(rpc.CodeConflict, "slot taken", nil)
	}
	return out, err
}

func confirmationCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := []byte(rand.Text()[:6])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (p *pgAppointments) listActive(ctx context.Context, q database.ListActiveParams) (database.AppointmentList, error) {
	rows, err := p.pool.Query(ctx, selectActive, q.CompanyID, q.StaffID, q.From, q.To)
	if err != nil {
		return database.AppointmentList{}, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (database.Appointment, error) {
		a := database.Appointment{StaffID: q.StaffID, Status: database.StatusScheduled}
		return a, r.Scan(&a.ID, &a.StartTime, &a.EndTime)
	})
	return database.AppointmentList{Appointments: list}, err
}

func seed(t *testing.T, pool *pgxpool.Pool) {
	for _, q := range []string{
		`INSERT INTO companies (id, name, api_key_digest, api_key_prefix) VALUES ('` + testCompany + `', 'Salon', decode(repeat('ab', 32), 'hex'), 'ak_test')`,
		`INSERT INTO branches (id, company_id, name, phone_number) VALUES ('` + testBranch + `', '` + testCompany + `', 'Mitte', '+49301234567')`,
		`INSERT INTO staff (id, company_id, branch_id, name) VALUES ('` + pgStaff + `', '` + testCompany + `', '` + testBranch + `', 'Anna')`,
	} {
		_, err := pool.Exec(t.Context(), q)
		require.NoError(t, err)
	}
}

// TestExclusionConstraintIsTheFinalGuarantee: with the Redis lock gone (every reservation
// granted) and a Cal.com that accepts overlapping bookings, 50 concurrent overlapping creates
// still leave exactly one appointment in PostgreSQL, and every loser's Cal.com booking is undone.
func TestExclusionConstraintIsTheFinalGuarantee(t *testing.T) {
	pool := testenv.Postgres(t)
	seed(t, pool)
	env := testenv.Redis(t)
	pg := &pgAppointments{pool: pool}
	cal := &calsim{bookings: map[string]calBooking{}, permissive: true}
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, database.Service, "db-pg"), nil, pg.register)
	rpctest.StartServer(t, env, rpctest.ServerConfig(env, calcom.Service, "cal-1"), nil, cal.register)
	bus := rpctest.NewClient(t, env, "constraint-client", nil)
	led := ledger.New(env.Client, rpctest.Namespace(env), time.Minute)
	svc, err := booking.New(booking.Deps{Store: dbstore.New(database.NewClient(bus), time.Minute), Calendar: calendar.New(bus),
		Locker: &leakyLocker{}, Ledger: led}, booking.Config{}, rpctest.Logger(t))
	require.NoError(t, err)

	wish := futureSlot(t, 4)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			_, err := svc.Create(t.Context(), booking.CreateRequest{CompanyID: testCompany, BranchID: testBranch,
				EventTypeID: "cut", StaffID: pgStaff, Start: wish.Add(time.Duration(i%2) * 30 * time.Minute),
				IdempotencyKey: fmt.Sprintf("k-%d", i)})
			if err == nil {
				wins.Add(1)
				return
			}
			require.ErrorIs(t, err, booking.ErrSlotTaken)
		})
	}
	wg.Wait()
	require.EqualValues(t, 1, wins.Load())
	var n int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM appointments WHERE status = 'scheduled'`).Scan(&n))
	require.Equal(t, 1, n)
	require.Equal(t, 1, cal.count(), "losers' Cal.com bookings undone")
	orphans, err := led.Orphans(t.Context())
	require.NoError(t, err)
	require.Empty(t, orphans)
}
