package phone_test

import (
	"errors"
	"fmt"

	"github.com/askproai/backend/pkg/phone"
)

func ExampleNormalize() {
	for _, raw := range []string{"+49 (0)30 123 456-78", "0171/1234567", "0043 664 1234567"} {
		e164, err := phone.Normalize(raw, phone.DefaultRegion)
		fmt.Println(e164, err)
	}
	_, err := phone.Normalize("+49 1", phone.DefaultRegion)
	fmt.Println(errors.Is(err, phone.ErrInvalid), errors.Is(err, phone.ErrTooShort))
	// Output:
	// +493012345678 <nil>
	// +491711234567 <nil>
	// +436641234567 <nil>
	// true true
}
