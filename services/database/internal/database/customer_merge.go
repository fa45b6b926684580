package database

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

// Customers split by the old phone rule. Until pkg/phone, the store normalised with a regex
// that only stripped separators, so "+49 (0)30 1234567" was stored as +490301234567 while
// libphonenumber (routing, and now the store) says +49301234567. The blind index of the two
// differs, so one caller could become two customers of a tenant. PlanCustomerMerges finds them
// by decrypting every stored number and normalising it again; MergeCustomers folds each group
// into its oldest customer.
//
// Rows referencing customers: appointments.customer_id and calls.customer_id (migrations 00005
// and 00006). A table added later that references customers makes the DELETE below fail with a
// foreign-key violation, which rolls the group back instead of losing a reference;
// TestCustomerForeignKeysAreTheOnesMergeRepoints names the two so such a migration updates
// this file.

const (
	sqlCustomersOfCompany = `SELECT ` + customerColumns + ` FROM customers WHERE company_id = $1 ORDER BY created_at, id`
	sqlCustomersLock      = `SELECT ` + customerColumns + ` FROM customers WHERE company_id = $1 AND id = ANY($2::uuid[])
ORDER BY created_at, id FOR UPDATE`
	sqlMergeAppointments = `UPDATE appointments SET customer_id = $2, updated_at = now()
WHERE company_id = $1 AND customer_id = ANY($3::uuid[])`
	sqlMergeCalls = `UPDATE calls SET customer_id = $2, updated_at = now()
WHERE company_id = $1 AND customer_id = ANY($3::uuid[])`
	sqlMergeDelete = `DELETE FROM customers WHERE company_id = $1 AND id = ANY($2::uuid[])`
	sqlMergeRekey  = `UPDATE customers SET phone_index = $3, phone_enc = $4, name_enc = $5, email_enc = $6, key_id = $7,
  updated_at = now()
WHERE company_id = $1 AND id = $2`
)

// CustomerMerge is one caller of a tenant stored under more than one customer, or under a
// number that is not in its normalised form. Phone is PII: show it masked.
type CustomerMerge struct {
	CompanyID string
	// Phone is the normalised E.164 number every customer of the group has.
	Phone string
	// KeepID is the oldest customer, which stays; MergeIDs are the others, oldest first (none
	// when only the survivor's stored number needs its normalised form).
	KeepID   string
	MergeIDs []string
}

// CustomerMergePlan is what PlanCustomerMerges found for one tenant.
type CustomerMergePlan struct {
	CompanyID string
	// Customers is how many customers the tenant has.
	Customers int
	// Merges are the groups to fold together (or to re-key), oldest survivor first.
	Merges []CustomerMerge
	// Unnormalizable are customers whose stored number pkg/phone refuses; they are left alone.
	Unnormalizable []string
}

// CustomerMergeResult is what MergeCustomers did to one group.
type CustomerMergeResult struct {
	CustomerMerge
	// Appointments and Calls count the rows moved to the survivor.
	Appointments, Calls int64
	// Rekeyed: the survivor's stored number was rewritten to its normalised form.
	Rekeyed bool
}

// PlanCustomerMerges reads every customer of a tenant and groups them by their number as
// NormalizePhone reads it today. It changes nothing.
func (s *Store) PlanCustomerMerges(ctx context.Context, companyID string) (CustomerMergePlan, error) {
	if err := checkIDs(companyID); err != nil {
		return CustomerMergePlan{}, err
	}
	rows, err := s.write.Query(ctx, sqlCustomersOfCompany, companyID)
	if err != nil {
		return CustomerMergePlan{}, fmt.Errorf("list customers: %w", classify(err))
	}
	defer rows.Close()
	plan := CustomerMergePlan{CompanyID: companyID}
	groups := map[string][]api.Customer{} // normalised number → customers, oldest first
	var order []string
	for rows.Next() {
		c, err := s.scanCustomer(rows)
		if err != nil {
			return CustomerMergePlan{}, fmt.Errorf("read customer: %w", err)
		}
		plan.Customers++
		e164, err := s.NormalizePhone(c.Phone)
		if err != nil {
			plan.Unnormalizable = append(plan.Unnormalizable, c.ID)
			continue
		}
		if _, seen := groups[e164]; !seen {
			order = append(order, e164)
		}
		groups[e164] = append(groups[e164], c)
	}
	if err := rows.Err(); err != nil {
		return CustomerMergePlan{}, fmt.Errorf("list customers: %w", classify(err))
	}
	for _, e164 := range order {
		g := groups[e164]
		if len(g) == 1 && g[0].Phone == e164 {
			continue
		}
		m := CustomerMerge{CompanyID: companyID, Phone: e164, KeepID: g[0].ID}
		for _, c := range g[1:] {
			m.MergeIDs = append(m.MergeIDs, c.ID)
		}
		plan.Merges = append(plan.Merges, m)
	}
	return plan, nil
}

// ErrMergeChanged: a group of PlanCustomerMerges no longer holds when it is merged (a customer
// is gone or its number changed); nothing of the group was changed.
var ErrMergeChanged = fmt.Errorf("customers changed since they were planned: %w", ErrStale)

// MergeCustomers folds one group of PlanCustomerMerges into its oldest customer, in one
// transaction: the group's rows are locked and checked again, appointments and calls of the
// others move to the survivor, the others are deleted, and the survivor is stored under the
// normalised number (re-sealed under the current key) with the name and e-mail it lacked
// taken from the others, oldest first. One audit entry records it ("customer.merged", or
// "customer.phone_normalized" when only the number's form changed), with ids and counts, no
// PII.
func (s *Store) MergeCustomers(ctx context.Context, m CustomerMerge) (CustomerMergeResult, error) {
	ids := append([]string{m.KeepID}, m.MergeIDs...)
	if err := checkIDs(append([]string{m.CompanyID}, ids...)...); err != nil {
		return CustomerMergeResult{}, err
	}
	if slices.Contains(m.MergeIDs, m.KeepID) {
		return CustomerMergeResult{}, invalid("a customer cannot be merged into itself")
	}
	var res CustomerMergeResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = s.mergeCustomers(ctx, tx, m, ids)
		return err
	})
	if err != nil {
		return CustomerMergeResult{}, fmt.Errorf("merge customers: %w", err)
	}
	return res, nil
}

func (s *Store) mergeCustomers(ctx context.Context, tx pgx.Tx, m CustomerMerge, ids []string) (CustomerMergeResult, error) {
	locked, err := s.lockCustomers(ctx, tx, m, ids)
	if err != nil {
		return CustomerMergeResult{}, err
	}
	keep, others := locked[0], locked[1:]
	res := CustomerMergeResult{CustomerMerge: m}
	if len(others) > 0 {
		if res.Appointments, err = execCount(ctx, tx, sqlMergeAppointments, m.CompanyID, keep.ID, m.MergeIDs); err != nil {
			return CustomerMergeResult{}, fmt.Errorf("repoint appointments: %w", err)
		}
		if res.Calls, err = execCount(ctx, tx, sqlMergeCalls, m.CompanyID, keep.ID, m.MergeIDs); err != nil {
			return CustomerMergeResult{}, fmt.Errorf("repoint calls: %w", err)
		}
		if _, err = execCount(ctx, tx, sqlMergeDelete, m.CompanyID, m.MergeIDs); err != nil {
			return CustomerMergeResult{}, fmt.Errorf("delete merged customers: %w", err)
		}
	}
	for _, o := range others {
		keep.Name, keep.Email = cmp.Or(keep.Name, o.Name), cmp.Or(keep.Email, o.Email)
	}
	sealed, err := s.sealCustomer(m.CompanyID, m.Phone, keep.Name, keep.Email)
	if err != nil {
		return CustomerMergeResult{}, err
	}
	if _, err := execCount(ctx, tx, sqlMergeRekey, m.CompanyID, keep.ID, s.cipher.BlindIndex(m.Phone),
		sealed[0], sealed[1], sealed[2], s.cipher.KeyID()); err != nil {
		return CustomerMergeResult{}, fmt.Errorf("re-key customer: %w", err)
	}
	res.Rekeyed = locked[0].Phone != m.Phone
	action, data := "customer.phone_normalized", map[string]any{"rule": "pkg/phone"}
	if len(others) > 0 {
		action = "customer.merged"
		data["merged_ids"] = m.MergeIDs
		data["appointments_moved"] = res.Appointments
		data["calls_moved"] = res.Calls
	}
	return res, audit(ctx, tx, m.CompanyID, action, "customer", keep.ID, data)
}

// lockCustomers locks the group's rows and checks that they are still what was planned: all
// there, the oldest first, each with a number that normalises to m.Phone.
func (s *Store) lockCustomers(ctx context.Context, tx pgx.Tx, m CustomerMerge, ids []string) ([]api.Customer, error) {
	rows, err := tx.Query(ctx, sqlCustomersLock, m.CompanyID, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.Customer
	for rows.Next() {
		c, err := s.scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) != len(ids) || out[0].ID != m.KeepID {
		return nil, ErrMergeChanged
	}
	for _, c := range out {
		if e164, err := s.NormalizePhone(c.Phone); err != nil || e164 != m.Phone {
			return nil, ErrMergeChanged
		}
	}
	return out, nil
}

func execCount(ctx context.Context, tx pgx.Tx, sql string, args ...any) (int64, error) {
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
