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
	var b pgx.Batch
	if err := s.queueCustomerLookup(&b, p); err != nil {
		return api.FindOrCreateCustomerResult{}, err
	}
	var c api.Customer
	var created bool
	err := sendBatch(ctx, tx, &b, func(br pgx.BatchResults) error {
		var err error
		c, created, err = s.readCustomerLookup(br)
		return err
	})
	if err != nil {
		return api.FindOrCreateCustomerResult{}, err
	}
	var w writes
	if c, err = s.customerWrites(&w, c, created, p); err != nil {
		return api.FindOrCreateCustomerResult{}, err
	}
	return api.FindOrCreateCustomerResult{Customer: c, Created: created}, w.run(ctx, tx)
}

// queueCustomerLookup queues a find-or-create in one round trip: the INSERT, which does
// nothing when the number is known (waiting for a concurrent insert of it to commit first),
// then the SELECT, which runs after it with a fresh snapshot and so reads whichever row won.
func (s *Store) queueCustomerLookup(b *pgx.Batch, p api.FindOrCreateCustomerParams) error {
	phone, err := NormalizePhone(p.Phone)
	if err != nil {
		return err
	}
	index := s.cipher.BlindIndex(phone)
	sealed, err := s.sealCustomer(p.CompanyID, phone, p.Name, p.Email)
	if err != nil {
		return err
	}
	b.Queue(sqlCustomerInsert, p.CompanyID, index, sealed[0], sealed[1], sealed[2], s.cipher.KeyID())
	b.Queue(sqlCustomerByPhone, p.CompanyID, index)
	return nil
}

// readCustomerLookup reads the results queueCustomerLookup queued: the customer, and whether
// this transaction created it.
func (s *Store) readCustomerLookup(br pgx.BatchResults) (api.Customer, bool, error) {
	var id string
	err := br.QueryRow().Scan(&id)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return api.Customer{}, false, err
	}
	c, serr := s.scanCustomer(br.QueryRow())
	return c, err == nil, serr
}

// customerWrites queues what a lookup leaves to write: the audit entry of a created customer,
// or the name or e-mail a known customer did not have yet (known values stay).
func (s *Store) customerWrites(w *writes, c api.Customer, created bool, p api.FindOrCreateCustomerParams) (api.Customer, error) {
	if created {
		w.audit(p.CompanyID, p.Actor, "customer.created", "customer", c.ID, nil)
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
	w.audit(c.CompanyID, p.Actor, "customer.updated", "customer", c.ID, nil)
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
