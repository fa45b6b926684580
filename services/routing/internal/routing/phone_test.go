package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/routing/internal/routing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		region string
		want   string
	}{
		{name: "e164 with spaces", raw: "+49 30 12345678", region: "DE", want: "+493012345678"},
		{name: "national", raw: "030 12345678", region: "DE", want: "+493012345678"},
		{name: "double zero", raw: "0049 30 12345678", region: "DE", want: "+493012345678"},
		{name: "brackets and dash", raw: "(030) 123 456-78", region: "DE", want: "+493012345678"},
		{name: "slash", raw: "030/12345678", region: "DE", want: "+493012345678"},
		{name: "german mobile", raw: "0171 1234567", region: "DE", want: "+491711234567"},
		{name: "austrian vienna", raw: "+43 1 5344455", region: "DE", want: "+4315344455"},
		{name: "austrian national", raw: "01 5344455", region: "AT", want: "+4315344455"},
		{name: "austrian mobile double zero", raw: "0043 664 1234567", region: "DE", want: "+436641234567"},
		{name: "swiss zurich", raw: "+41 44 668 18 00", region: "DE", want: "+41446681800"},
		{name: "swiss national", raw: "044 668 18 00", region: "CH", want: "+41446681800"},
		{name: "swiss double zero", raw: "0041 44 668 18 00", region: "AT", want: "+41446681800"},
		{name: "region lower case", raw: "030 12345678", region: "de", want: "+493012345678"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := routing.NormalizePhone(tc.raw, tc.region)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNormalizePhoneRejects(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{name: "empty", raw: ""},
		{name: "blank", raw: "   "},
		{name: "letters", raw: "hallo"},
		{name: "too short", raw: "123"},
		{name: "invalid area", raw: "+49 0 1234"},
		{name: "too long", raw: "+49 30 1234567890123456"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := routing.NormalizePhone(tc.raw, "DE")
			require.ErrorIs(t, err, routing.ErrInvalidNumber)
			var pe *routing.PhoneError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tc.raw, pe.Input)
			if tc.raw != "" && tc.raw != "   " {
				require.NotContains(t, err.Error(), tc.raw, "the number is PII and stays out of the message")
			}
		})
	}
}
