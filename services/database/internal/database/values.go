package database

import (
	"crypto/rand"
	"regexp"
	"strings"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkIDs refuses empty or malformed ids before they reach SQL.
func checkIDs(ids ...string) error {
	for _, id := range ids {
		if !uuidPattern.MatchString(id) {
			return invalid("malformed id")
		}
	}
	return nil
}

// optionalID is checkIDs for an id that may be empty.
func optionalID(id string) error {
	if id == "" {
		return nil
	}
	return checkIDs(id)
}

// nullable turns "" into SQL NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullableVersion passes an optional version precondition: 0 is none (NULL).
func nullableVersion(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// confirmationAlphabet leaves out 0/O and 1/I, which callers and speech recognition confuse.
const confirmationAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newConfirmationNumber returns six characters from confirmationAlphabet: 32^6 ≈ 10^9 values.
// The alphabet has 32 letters, so masking random bytes to 5 bits keeps the choice uniform.
func newConfirmationNumber() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = confirmationAlphabet[b[i]&31]
	}
	return string(b[:])
}

// normalizeConfirmation accepts "ab-c 23x" for "ABC23X".
func normalizeConfirmation(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s))
}
