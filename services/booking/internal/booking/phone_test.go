package booking_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/services/booking/internal/booking"
)

func TestCreateNormalisesTheCustomerPhone(t *testing.T) {
	tests := []struct {
		name, raw, region, want string
	}{
		{name: "national german mobile", raw: "0151 12345678", want: "+4915112345678"},
		{name: "bracketed trunk zero", raw: "+49 (0)151 1234-5678", want: "+4915112345678"},
		{name: "double zero", raw: "0049 151 12345678", want: "+4915112345678"},
		{name: "austrian national in AT", raw: "0664 1234567", region: "AT", want: "+436641234567"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, booking.Config{Region: tc.region})
			req := request("anna", wish, "key-"+tc.name)
			req.Customer.Phone = tc.raw
			res, err := f.svc.Create(t.Context(), req)
			require.NoError(t, err)
			c, err := f.store.Customer(t.Context(), company, res.Booking.CustomerID)
			require.NoError(t, err)
			require.Equal(t, tc.want, c.Phone, "the customer is found and created under E.164")
			f.cal.mu.Lock()
			defer f.cal.mu.Unlock()
			require.Equal(t, tc.want, f.cal.attendees[res.Booking.CalcomBookingID].Phone, "Cal.com gets E.164")
		})
	}
}

func TestCreateRefusesAnInvalidPhoneBeforeAnythingHappens(t *testing.T) {
	f := newFixture(t, booking.Config{})
	req := request("anna", wish, "key-bad-phone")
	req.Customer.Phone = "+49 1"
	_, err := f.svc.Create(t.Context(), req)
	require.ErrorIs(t, err, booking.ErrValidation)
	require.ErrorIs(t, err, phone.ErrTooShort)
	var fe *booking.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "customer_phone", fe.Field)
	require.Equal(t, "phone number is not E.164", fe.Reason)
	require.Equal(t, 0, f.cal.count(), "nothing booked at Cal.com")
	reservations, err := f.locker.Reservations(t.Context(), "anna")
	require.NoError(t, err)
	require.Empty(t, reservations, "nothing reserved")
}

func TestCancelByPhoneNormalisesAndRefusesGarbage(t *testing.T) {
	f := newFixture(t, booking.Config{})
	res, err := f.svc.Create(t.Context(), request("anna", wish, "key-cancel-phone"))
	require.NoError(t, err)

	_, err = f.svc.Cancel(t.Context(), booking.CancelRequest{CompanyID: company, Phone: "keine Nummer",
		Date: wish.In(berlin).Format("2006-01-02"), TimeZone: "Europe/Berlin"})
	require.ErrorIs(t, err, booking.ErrValidation)
	require.ErrorIs(t, err, phone.ErrInvalid)

	done, err := f.svc.Cancel(t.Context(), booking.CancelRequest{CompanyID: company, Phone: "0151 / 123 456 78",
		Date: wish.In(berlin).Format("2006-01-02"), TimeZone: "Europe/Berlin"})
	require.NoError(t, err)
	require.Equal(t, res.Booking.ID, done.Booking.ID)
}
