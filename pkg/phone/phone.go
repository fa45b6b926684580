// Package phone is the one phone-number normaliser of AskProAI: every service turns what a
// caller, Retell or an operator wrote into E.164 here, with libphonenumber
// (github.com/nyaruka/phonenumbers), so that one number has one form everywhere. Customers are
// found by the blind index of that form; two rules for one number would split one caller into
// two customers.
package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region of numbers written without a country code when the
// RegionSetting is not set: most tenants are German.
const DefaultRegion = "DE"

// Sentinels. Every error of Normalize matches ErrInvalid; ErrNotANumber, ErrTooShort and
// ErrTooLong say more. Their texts carry no input: phone numbers are PII and error texts end
// up in logs.
var (
	// ErrInvalid: the text is no valid phone number (any reason, including the ones below, an
	// unknown country code, a missing country code, or a number no region assigns).
	ErrInvalid = errors.New("invalid phone number")
	// ErrNotANumber: empty, or no digits a number could be made of ("anonymous", "hallo").
	ErrNotANumber = errors.New("not a phone number")
	// ErrTooShort: too few digits for a number of its region.
	ErrTooShort = errors.New("phone number too short")
	// ErrTooLong: too many digits for a number of its region.
	ErrTooLong = errors.New("phone number too long")
)

// Error is what Normalize returns for input it cannot normalise. errors.Is matches ErrInvalid
// and Kind. The input is not kept: the error travels into logs.
type Error struct {
	// Kind is ErrInvalid, ErrNotANumber, ErrTooShort or ErrTooLong.
	Kind error
}

func (e *Error) Error() string {
	if errors.Is(e.Kind, ErrInvalid) {
		return ErrInvalid.Error()
	}
	return ErrInvalid.Error() + ": " + e.Kind.Error()
}

// Is makes errors.Is(err, ErrInvalid) and errors.Is(err, e.Kind) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid || target == e.Kind }

// Normalize returns the E.164 form ("+493012345678") of a number in any common notation:
// "+49 30 12345678", "030 12345678", "0049 30 …", "+49 (0)30 …", "(030) 123 456-78",
// "030/12345678", "0171-1234567". defaultRegion (ISO 3166-1 alpha-2, any case) applies to
// numbers written without a country code; with "" only international notation is accepted.
// A number must be valid for its region, not merely the right length. Failures are *Error.
func Normalize(raw, defaultRegion string) (string, error) {
	s := strings.TrimSpace(raw)
	if !strings.ContainsAny(s, "0123456789") {
		return "", &Error{Kind: ErrNotANumber}
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:] // the international prefix written out; dialled so in every region we serve
	}
	num, err := phonenumbers.Parse(s, strings.ToUpper(strings.TrimSpace(defaultRegion)))
	if err != nil {
		return "", &Error{Kind: parseKind(err)}
	}
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.TOO_SHORT:
		return "", &Error{Kind: ErrTooShort}
	case phonenumbers.TOO_LONG:
		return "", &Error{Kind: ErrTooLong}
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", &Error{Kind: ErrInvalid}
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

func parseKind(err error) error {
	switch {
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return ErrNotANumber
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return ErrTooShort
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return ErrTooLong
	}
	return ErrInvalid // ErrInvalidCountryCode: unknown, or missing with no default region
}

// Equal reports whether a and b are the same valid number, each read with defaultRegion.
func Equal(a, b, defaultRegion string) bool {
	na, err := Normalize(a, defaultRegion)
	if err != nil {
		return false
	}
	nb, err := Normalize(b, defaultRegion)
	return err == nil && na == nb
}
