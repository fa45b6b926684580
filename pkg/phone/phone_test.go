package phone_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/phone"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		region string
		want   string
	}{
		{name: "e164", raw: "+493012345678", region: "DE", want: "+493012345678"},
		{name: "e164 with spaces", raw: "+49 30 12345678", region: "DE", want: "+493012345678"},
		{name: "national berlin", raw: "030 12345678", region: "DE", want: "+493012345678"},
		{name: "national mobile", raw: "0171 1234567", region: "DE", want: "+491711234567"},
		{name: "mobile 1520", raw: "01520 1234567", region: "DE", want: "+4915201234567"},
		{name: "bracketed trunk zero", raw: "+49 (0)30 12345678", region: "DE", want: "+493012345678"},
		{name: "trunk zero after country code", raw: "+4903012345678", region: "DE", want: "+493012345678"},
		{name: "double zero", raw: "0049 30 12345678", region: "DE", want: "+493012345678"},
		{name: "double zero mobile", raw: "0049 171 1234567", region: "DE", want: "+491711234567"},
		{name: "double zero and bracketed zero", raw: "0049 (0) 171 / 123 45 67", region: "DE", want: "+491711234567"},
		{name: "slash", raw: "030/12345678", region: "DE", want: "+493012345678"},
		{name: "dashes", raw: "0171-123-4567", region: "DE", want: "+491711234567"},
		{name: "slash, spaces and dash", raw: "030 / 123 456-78", region: "DE", want: "+493012345678"},
		{name: "brackets", raw: "(030) 123 456-78", region: "DE", want: "+493012345678"},
		{name: "dots", raw: "030.123.456.78", region: "DE", want: "+493012345678"},
		{name: "surrounding blanks", raw: "  030 12345678\t", region: "DE", want: "+493012345678"},
		{name: "tel uri", raw: "tel:+493012345678", region: "DE", want: "+493012345678"},
		{name: "toll free", raw: "0800 1234567", region: "DE", want: "+498001234567"},
		{name: "region lower case", raw: "030 12345678", region: "de", want: "+493012345678"},
		{name: "austrian vienna", raw: "+43 1 5344455", region: "DE", want: "+4315344455"},
		{name: "austrian national", raw: "01 5344455", region: "AT", want: "+4315344455"},
		{name: "austrian mobile double zero", raw: "0043 664 1234567", region: "DE", want: "+436641234567"},
		{name: "swiss zurich", raw: "+41 44 668 18 00", region: "DE", want: "+41446681800"},
		{name: "swiss national", raw: "044 668 18 00", region: "CH", want: "+41446681800"},
		{name: "swiss double zero from austria", raw: "0041 44 668 18 00", region: "AT", want: "+41446681800"},
		{name: "us", raw: "+1 650 253 0000", region: "DE", want: "+16502530000"},
		{name: "us national", raw: "(650) 253-0000", region: "US", want: "+16502530000"},
		{name: "uk", raw: "+44 20 7946 0958", region: "DE", want: "+442079460958"},
		{name: "international without region", raw: "+49 30 12345678", region: "", want: "+493012345678"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := phone.Normalize(tc.raw, tc.region)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		region string
		kind   error
	}{
		{name: "empty", raw: "", region: "DE", kind: phone.ErrNotANumber},
		{name: "blank", raw: "   ", region: "DE", kind: phone.ErrNotANumber},
		{name: "letters", raw: "hallo", region: "DE", kind: phone.ErrNotANumber},
		{name: "anonymous", raw: "anonymous", region: "DE", kind: phone.ErrNotANumber},
		{name: "plus only", raw: "+", region: "DE", kind: phone.ErrNotANumber},
		{name: "country code only", raw: "+49", region: "DE", kind: phone.ErrNotANumber},
		{name: "one digit", raw: "0", region: "DE", kind: phone.ErrNotANumber},
		{name: "too short international", raw: "+49 1", region: "DE", kind: phone.ErrTooShort},
		{name: "too short swiss", raw: "0041 44", region: "DE", kind: phone.ErrTooShort},
		{name: "too short us", raw: "+1 650 253", region: "DE", kind: phone.ErrTooShort},
		{name: "too long", raw: "+49 30 1234567890123456", region: "DE", kind: phone.ErrTooLong},
		{name: "short german digits", raw: "123", region: "DE", kind: phone.ErrInvalid},
		{name: "emergency number", raw: "110", region: "DE", kind: phone.ErrInvalid},
		{name: "no area code", raw: "+49 0 1234", region: "DE", kind: phone.ErrInvalid},
		{name: "mobile too few digits", raw: "+49 171 12", region: "DE", kind: phone.ErrInvalid},
		{name: "unknown country code", raw: "+999 123456", region: "DE", kind: phone.ErrInvalid},
		{name: "national without region", raw: "030 12345678", region: "", kind: phone.ErrInvalid},
		{name: "national with unknown region", raw: "030 12345678", region: "XX", kind: phone.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := phone.Normalize(tc.raw, tc.region)
			require.Empty(t, got)
			require.ErrorIs(t, err, phone.ErrInvalid)
			require.ErrorIs(t, err, tc.kind)
			var pe *phone.Error
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tc.kind, pe.Kind)
			if digits := strings.TrimSpace(tc.raw); len(digits) > 2 {
				require.NotContains(t, err.Error(), digits, "the number is PII and stays out of the message")
			}
		})
	}
}

func TestErrorKindsAreDistinct(t *testing.T) {
	err := &phone.Error{Kind: phone.ErrTooShort}
	require.ErrorIs(t, err, phone.ErrInvalid)
	require.ErrorIs(t, err, phone.ErrTooShort)
	require.NotErrorIs(t, err, phone.ErrTooLong)
	require.NotErrorIs(t, err, phone.ErrNotANumber)
	require.Equal(t, "invalid phone number: phone number too short", err.Error())
	require.Equal(t, "invalid phone number", (&phone.Error{Kind: phone.ErrInvalid}).Error())
}

func TestEqual(t *testing.T) {
	require.True(t, phone.Equal("+49 (0)30 12345678", "030/123 456-78", "DE"))
	require.True(t, phone.Equal("0049 171 1234567", "+491711234567", "AT"))
	require.False(t, phone.Equal("030 12345678", "030 12345679", "DE"))
	require.False(t, phone.Equal("hallo", "hallo", "DE"), "two invalid texts are no number, so not the same one")
	require.False(t, phone.Equal("01 5344455", "+4915344455", "AT"), "the default region decides")
}

func TestReadRegion(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{name: "unset", env: map[string]string{}, want: "DE"},
		{name: "empty", env: map[string]string{"DEFAULT_REGION": " "}, want: "DE"},
		{name: "austria", env: map[string]string{"DEFAULT_REGION": "AT"}, want: "AT"},
		{name: "lower case", env: map[string]string{"DEFAULT_REGION": "ch"}, want: "CH"},
		{name: "unknown", env: map[string]string{"DEFAULT_REGION": "XX"}, want: "XX", wantErr: "DEFAULT_REGION"},
		{name: "country name", env: map[string]string{"DEFAULT_REGION": "Germany"}, want: "GERMANY", wantErr: "no region code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := config.New(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			require.Equal(t, tc.want, phone.ReadRegion(r))
			if tc.wantErr == "" {
				require.NoError(t, r.Err())
				return
			}
			require.ErrorContains(t, r.Err(), tc.wantErr)
		})
	}
}

// FuzzNormalize checks what every caller relies on, for any text: no panic; a result is
// E.164, normalises to itself (also without a default region), and an error matches
// ErrInvalid without repeating the input. `go test` runs the seeds only.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+49 30 12345678", "030 12345678", "0049 (0) 171 / 123 45 67", "+4903012345678",
		"hallo", "", "+", "00", "+999 1", "0171-1234567 ext. 12", "+1 650 253 0000", "\x00\xff", "٠١٧١١٢٣٤٥٦٧"} {
		f.Add(s, "DE")
	}
	f.Add("044 668 18 00", "CH")
	f.Add("030 12345678", "")
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := phone.Normalize(raw, region)
		if err != nil {
			require.ErrorIs(t, err, phone.ErrInvalid)
			var pe *phone.Error
			require.True(t, errors.As(err, &pe))
			if len(raw) > 3 {
				require.NotContains(t, err.Error(), raw)
			}
			return
		}
		require.True(t, strings.HasPrefix(got, "+"), got)
		require.LessOrEqual(t, len(got), 16, "E.164 has at most 15 digits")
		for _, r := range got[1:] {
			require.True(t, r >= '0' && r <= '9', got)
		}
		again, err := phone.Normalize(got, "")
		require.NoError(t, err)
		require.Equal(t, got, again)
	})
}
