package database

import (
	"context"

	"github.com/jackc/pgx/v5"

	routing "github.com/askproai/backend/pkg/api/routing"
)

const sqlCompanyBranchIDs = `SELECT id::text FROM branches WHERE company_id = $1`

// branchChanged queues routing's branch.changed for each branch, in the transaction of the
// change, so routing drops what it cached. phones are the numbers before and after the change.
func branchChanged(ctx context.Context, tx pgx.Tx, companyID string, branchIDs []string, phones ...string) error {
	seen := map[string]bool{}
	for _, id := range branchIDs {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		ev := routing.BranchChangedEvent{CompanyID: companyID, BranchID: id, PhoneNumbers: distinct(phones)}
		if err := enqueue(ctx, tx, companyID, "branch", id, routing.TopicBranchChanged, ev); err != nil {
			return err
		}
	}
	return nil
}

// allBranches lists the ids of a company's branches, for changes that concern all of them.
func allBranches(ctx context.Context, tx pgx.Tx, companyID string) ([]string, error) {
	rows, err := tx.Query(ctx, sqlCompanyBranchIDs, companyID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func distinct(values []string) []string {
	var out []string
	for _, v := range values {
		if v != "" && !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
