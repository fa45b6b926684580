package main

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"
)

// key create prints the key once and stores its digest; key list shows names, prefixes and
// times, never a key; key revoke and tenant deactivate take effect in the database, audited
// as the operator, and bad input changes nothing.
func TestKeyCommands(t *testing.T) {
	c := newCLI(t)
	c.env["ASKPRO_ACTOR"] = "anna.schmidt"
	c.run("migrate")
	first := keyRE.FindStringSubmatch(c.run("tenant", "create", "--name", "Salon Nord"))
	require.NotNil(t, first)

	out := c.run("key", "create", "--company", "salon-nord", "--name", "zapier")
	m := keyRE.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	key := m[1]
	sum := sha256.Sum256([]byte(key))
	require.Equal(t, 1, c.count(`SELECT count(*) FROM api_keys WHERE digest = $1 AND name = 'zapier' AND prefix = $2`,
		sum[:], key[:apiKeyPrefixLen]))

	list := c.run("key", "list", "--company", "Salon Nord")
	require.Contains(t, list, "default")
	require.Contains(t, list, "zapier")
	require.Contains(t, list, key[:apiKeyPrefixLen]+"…")
	require.NotContains(t, list, key)
	require.NotContains(t, list, first[1])
	require.Contains(t, list, "2 key(s) of Salon Nord; active: true")

	for name, args := range map[string][]string{
		"no company":          {"key", "create", "--name", "x"},
		"unknown company":     {"key", "create", "--company", "nobody", "--name", "x"},
		"no name":             {"key", "create", "--company", "salon-nord"},
		"taken name":          {"key", "create", "--company", "salon-nord", "--name", "zapier"},
		"revoke both":         {"key", "revoke", "--company", "salon-nord", "--name", "zapier", "--prefix", key[:12]},
		"revoke unknown":      {"key", "revoke", "--company", "salon-nord", "--name", "nope"},
		"deactivate nobody":   {"tenant", "deactivate", "--company", "nobody"},
		"unknown subcommand":  {"key", "rotate", "--company", "salon-nord"},
		"stray argument":      {"key", "list", "--company", "salon-nord", "extra"},
		"deactivate no flags": {"tenant", "deactivate"},
	} {
		_, err := c.try(args...)
		require.Error(t, err, name)
	}
	require.Equal(t, 2, c.count(`SELECT count(*) FROM api_keys`), "bad input changed nothing")
	require.Equal(t, 0, c.count(`SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL`))

	require.Contains(t, c.run("key", "revoke", "--company", "salon-nord", "--prefix", key[:apiKeyPrefixLen]+"…"), "key revoked: zapier")
	require.Equal(t, 1, c.count(`SELECT count(*) FROM api_keys WHERE digest = $1 AND revoked_at IS NOT NULL`, sum[:]))
	require.Regexp(t, `zapier\s+ak_live_\S+…\s+\S+\s+-\s+20\d\d-`, c.run("key", "list", "--company", "salon-nord"))

	require.Contains(t, c.run("tenant", "deactivate", "--company", "salon-nord"), "tenant deactivated")
	require.Contains(t, c.run("tenant", "deactivate", "--company", "salon-nord"), "already inactive")
	require.Equal(t, 1, c.count(`SELECT count(*) FROM companies WHERE NOT active`))
	require.Contains(t, c.run("tenant", "activate", "--company", "salon-nord"), "tenant activated")
	require.Equal(t, 0, c.count(`SELECT count(*) FROM companies WHERE NOT active`))

	require.Equal(t, 5, c.count(`SELECT count(*) FROM audit_log WHERE actor = 'cli:anna.schmidt'
AND action IN ('api_key.created', 'api_key.revoked', 'company.deactivated', 'company.activated')`),
		"default and zapier created, zapier revoked, deactivated, activated")
	require.Equal(t, 4, c.count(`SELECT count(*) FROM outbox WHERE topic = 'auth.changed'`),
		"zapier created, revoked, deactivated, activated")
}
