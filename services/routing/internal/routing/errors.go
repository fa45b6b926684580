package routing

import (
	"errors"
	"fmt"
)

// Domain errors; the handler maps them to wire codes.
var (
	// ErrUnknownNumber: no active branch answers this number.
	ErrUnknownNumber = errors.New("unknown number")
	// ErrNotFound: a branch, company or catalogue entry does not exist for the tenant.
	ErrNotFound = errors.New("not found")
	// ErrUnroutable: a web call carries neither branch metadata nor a known agent id.
	ErrUnroutable = errors.New("call cannot be routed")
)

// UnknownNumberError names the number no branch answers, masked: it travels into logs.
type UnknownNumberError struct {
	Number string // E.164
}

func (e *UnknownNumberError) Error() string {
	return fmt.Sprintf("unknown number %s", MaskPhone(e.Number))
}

func (e *UnknownNumberError) Is(target error) bool { return target == ErrUnknownNumber }

// MaskPhone keeps the country code and the last two digits: "+49*******78".
func MaskPhone(e164 string) string {
	if len(e164) <= 5 {
		return "***"
	}
	const keep = 3 // "+49"
	masked := []byte(e164)
	for i := keep; i < len(masked)-2; i++ {
		masked[i] = '*'
	}
	return string(masked)
}
