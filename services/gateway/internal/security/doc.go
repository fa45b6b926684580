// Package security is the attacker's suite of issue 26 (`make test-security`): one whole system
// (calsim and the six services as separate processes, pkg/stack) with two seeded tenants, and a
// table of attacks on it — cross-tenant ids, confirmation numbers, phone and date over /rpc and
// through signed function calls; duplicate and extra tenant headers, case variants of
// company_id, batches that mix tenants; Retell signature variants; oversize bodies, deep
// nesting, invalid UTF-8, SQL and LIKE metacharacters; per-call rate limits, key floods and key
// rotation. Every case checks the answer and that PostgreSQL did not change (a count and a
// checksum of appointments, customers, audit_log, calls and companies before and after; the
// audit log may only grow, and only where the case says so).
//
// It starts a system of its own, so it runs only with ASKPRO_SECURITY=1 (`make test-security`,
// run by .ci/run after `make test`); `make test` skips it on purpose.
package security
