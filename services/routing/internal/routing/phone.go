package routing

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalidNumber is returned for text that is no valid phone number in any notation we
// accept.
var ErrInvalidNumber = errors.New("invalid phone number")

// PhoneError says which input failed to normalise and why; errors.Is matches
// ErrInvalidNumber. The input stays out of Error(): phone numbers are PII and error texts
// end up in logs.
type PhoneError struct {
	Input  string
	Reason string
}

func (e *PhoneError) Error() string { return "invalid phone number: " + e.Reason }

func (e *PhoneError) Is(target error) bool { return target == ErrInvalidNumber }

// NormalizePhone turns a German, Austrian or Swiss number in any common notation
// ("+49 30 12345678", "030 12345678", "0049 30 …", "(030) 123 456-78", "0043 1 …",
// "044 668 18 00" with region CH) into E.164. defaultRegion (ISO 3166, "DE") applies to
// numbers written without a country code.
func NormalizePhone(raw, defaultRegion string) (string, error) {
	cleaned := strings.TrimSpace(raw)
	if strings.HasPrefix(cleaned, "00") {
		cleaned = "+" + cleaned[2:] // international prefix written out; works in every region
	}
	if cleaned == "" {
		return "", &PhoneError{Input: raw, Reason: "empty"}
	}
	num, err := phonenumbers.Parse(cleaned, strings.ToUpper(defaultRegion))
	if err != nil {
		return "", &PhoneError{Input: raw, Reason: fmt.Sprintf("parse: %v", err)}
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", &PhoneError{Input: raw, Reason: "not a valid number for its region"}
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}
