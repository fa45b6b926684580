package database

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	customerColumns   = `id::text, company_id::text, phone_enc, name_enc, email_enc, created_at`
	sqlCustomerInsert = `INSERT INTO customers (company_id, phone_index, phone_enc, name_enc, email_enc, key_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (company_id, phone_index) DO NOTHING
RETURNING id::text`
	sqlCustomerByPhone = `SELECT ` + customerColumns + ` FROM customers WHERE company_id = $1 AND phone_index = $2`
	sqlCustomerByID    = `SELECT ` + customerColumns + ` FROM customers WHERE company_id = $1 AND id = $2`
	// Filling in re-seals every field under the current key, which also moves the row off a
	// retired key.
	sqlCustomerReseal = `UPDATE customers SET phone_enc = $3, name_enc = $4, email_enc = $5, key_id = $6,
  updated_at = now()
WHERE company_id = $1 AND id = $2`
)

// FindOrCreateCustomer returns the tenant's customer with this phone number, creating it when
// there is none. Concurrent calls for one number create exactly one row: the unique blind index
// makes the losing INSERT do nothing, and it then reads the winner's row.
func (s *Store) FindOrCreateCustomer(ctx context.Context, p api.FindOrCreateCustomerParams) (api.FindOrCreateCustomerResult, error) {
	if err := checkIDs(p.CompanyID); err != nil {
		return api.FindOrCreateCustomerResult{}, err
	}
	var res api.FindOrCreateCustomerResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = s.findOrCreateCustomer(ctx, tx, p)
		return err
	})
	if err != nil {
		return api.FindOrCreateCustomerResult{}, fmt.Errorf("find or create customer: %w", err)
	}
	return res, nil
}

// Customer loads one customer of a tenant, decrypted.
func (s *Store) Customer(ctx context.Context, p api.CustomerParams) (api.Customer, error) {
	if err := checkIDs(p.CompanyID, p.CustomerID); err != nil {
		return api.Customer{}, err
	}
	c, err := s.scanCustomer(s.write.QueryRow(ctx, sqlCustomerByID, p.CompanyID, p.CustomerID))
	if err != nil {
		return api.Customer{}, fmt.Errorf("load customer: %w", classify(err))
	}
	return c, nil
}

func (s *Store) findOrCreateCustomer(ctx context.Context, tx pgx.Tx, p api.FindOrCreateCustomerParams) (api.FindOrCreateCustomerResult, error) {
	l, err := s.newCustomerLookup(p)
	if err != nil {
		return api.FindOrCreateCustomerResult{}, err
	}
	var b pgx.Batch
	l.queueFind(&b)
	if err := sendBatch(ctx, tx, &b, l.readFind); err != nil {
		return api.FindOrCreateCustomerResult{}, err
	}
	if !l.found {
		b = pgx.Batch{}
		if err := l.queueCreate(&b); err != nil {
			return api.FindOrCreateCustomerResult{}, err
		}
		if err := sendBatch(ctx, tx, &b, l.readCreate); err != nil {
			return api.FindOrCreateCustomerResult{}, err
		}
	}
	var w writes
	c, err := s.customerWrites(ctx, &w, l.c, l.created, p)
	if err != nil {
		return api.FindOrCreateCustomerResult{}, err
	}
	return api.FindOrCreateCustomerResult{Customer: c, Created: l.created}, w.run(ctx, tx)
}

// customerLookup is a find-or-create of a customer by phone number, spread over a
// transaction's batches. A known number costs one SELECT. Only for an unknown one are the
// fields sealed and the INSERT sent, which does nothing when a concurrent transaction created
// the row first (it waits for that one to commit), followed by a SELECT that runs with a fresh
// snapshot and so reads whichever row won.
type customerLookup struct {
	s              *Store
	p              api.FindOrCreateCustomerParams
	phone          string
	index          []byte
	c              api.Customer
	found, created bool
}

func (s *Store) newCustomerLookup(p api.FindOrCreateCustomerParams) (*customerLookup, error) {
	phone, err := s.NormalizePhone(p.Phone)
	if err != nil {
		return nil, err
	}
	return &customerLookup{s: s, p: p, phone: phone, index: s.cipher.BlindIndex(phone)}, nil
}

func (l *customerLookup) queueFind(b *pgx.Batch) {
	b.Queue(sqlCustomerByPhone, l.p.CompanyID, l.index)
}

func (l *customerLookup) readFind(br pgx.BatchResults) error {
	c, err := l.s.scanCustomer(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	l.c, l.found = c, err == nil
	return err
}

func (l *customerLookup) queueCreate(b *pgx.Batch) error {
	sealed, err := l.s.sealCustomer(l.p.CompanyID, l.phone, l.p.Name, l.p.Email)
	if err != nil {
		return err
	}
	b.Queue(sqlCustomerInsert, l.p.CompanyID, l.index, sealed[0], sealed[1], sealed[2], l.s.cipher.KeyID())
	l.queueFind(b)
	return nil
}

func (l *customerLookup) readCreate(br pgx.BatchResults) error {
	var id string
	err := br.QueryRow().Scan(&id)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	l.created = err == nil
	l.c, err = l.s.scanCustomer(br.QueryRow())
	l.found = err == nil
	return err
}

// customerWrites queues what a lookup leaves to write: the audit entry of a created customer,
// or the name or e-mail a known customer did not have yet (known values stay).
func (s *Store) customerWrites(ctx context.Context, w *writes, c api.Customer, created bool, p api.FindOrCreateCustomerParams) (api.Customer, error) {
	if created {
		w.audit(ctx, p.CompanyID, "customer.created", "customer", c.ID, nil)
		return c, nil
	}
	if (c.Name != "" || p.Name == "") && (c.Email != "" || p.Email == "") {
		return c, nil
	}
	if c.Name == "" {
		c.Name = p.Name
	}
	if c.Email == "" {
		c.Email = p.Email
	}
	sealed, err := s.sealCustomer(c.CompanyID, c.Phone, c.Name, c.Email)
	if err != nil {
		return api.Customer{}, err
	}
	w.exec("fill in customer", sqlCustomerReseal, c.CompanyID, c.ID, sealed[0], sealed[1], sealed[2], s.cipher.KeyID())
	w.audit(ctx, c.CompanyID, "customer.updated", "customer", c.ID, nil)
	return c, nil
}

// sealCustomer encrypts phone, name and email, in that order.
func (s *Store) sealCustomer(companyID, phone, name, email string) ([3][]byte, error) {
	var out [3][]byte
	for i, f := range []struct{ v, col string }{{phone, "phone"}, {name, "name"}, {email, "email"}} {
		b, err := s.cipher.Seal(f.v, companyID, f.col)
		if err != nil {
			return out, fmt.Errorf("seal customer %s: %w", f.col, err)
		}
		out[i] = b
	}
	return out, nil
}

func (s *Store) scanCustomer(row pgx.Row) (api.Customer, error) {
	var c api.Customer
	var phone, name, email []byte
	var created time.Time
	if err := row.Scan(&c.ID, &c.CompanyID, &phone, &name, &email, &created); err != nil {
		return api.Customer{}, err
	}
	c.CreatedAt = created
	var err error
	if c.Phone, err = s.cipher.Open(phone, c.CompanyID, "phone"); err != nil {
		return api.Customer{}, err
	}
	if c.Name, err = s.cipher.Open(name, c.CompanyID, "name"); err != nil {
		return api.Customer{}, err
	}
	if c.Email, err = s.cipher.Open(email, c.CompanyID, "email"); err != nil {
		return api.Customer{}, err
	}
	return c, nil
}
