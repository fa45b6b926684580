package booking

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Confirm turns a booking event into a confirmation for the caller who booked. Without a known
// contact there is nobody to tell, which is not an error.
func (s *Service) Confirm(ctx context.Context, ev Event) error {
	if s.notifier == nil {
		return nil
	}
	b := ev.Booking
	var to Contact
	err := ErrNotFound
	if b.CustomerID != "" {
		to, err = s.store.Customer(ctx, ev.CompanyID, b.CustomerID)
	}
	if errors.Is(err, ErrNotFound) {
		s.log.Debug().Str("appointment_id", b.ID).Str("event", string(ev.Kind)).Msg("confirmation_without_contact")
		return nil
	}
	if err != nil {
		return fmt.Errorf("confirm %s: load contact: %w", ev.Kind, err)
	}
	branch, err := s.store.Branch(ctx, ev.CompanyID, b.BranchID)
	if err != nil {
		return fmt.Errorf("confirm %s: load branch: %w", ev.Kind, err)
	}
	loc, err := location(branch.TimeZone)
	if err != nil {
		return fmt.Errorf("confirm %s: %w", ev.Kind, err)
	}
	c := Confirmation{EventID: ev.ID, Kind: ev.Kind, To: to, BranchID: b.BranchID, Booking: b, BranchTZ: branch.TimeZone}
	if c.Subject, c.Text, err = confirmationText(ev.Kind, to, branch, b, loc); err != nil {
		return fmt.Errorf("confirm: %w", err)
	}
	if err := s.notifier.Notify(ctx, c); err != nil {
		return fmt.Errorf("confirm %s: %w", ev.Kind, err)
	}
	return nil
}

// confirmationText is the German subject and text for an event.
func confirmationText(kind EventKind, to Contact, branch Branch, b Booking, loc *time.Location) (string, string, error) {
	when := SpokenTime(b.Start, loc)
	switch kind {
	case EventCreated:
		return "Terminbestätigung", fmt.Sprintf("%s Ihr Termin bei %s am %s ist gebucht. Ihre Bestätigungsnummer: %s.",
			greeting(to), branch.Name, when, b.ConfirmationNumber), nil
	case EventCancelled:
		return "Termin storniert", fmt.Sprintf("%s Ihr Termin bei %s am %s wurde storniert.", greeting(to), branch.Name, when), nil
	case EventRescheduled:
		return "Termin verlegt", fmt.Sprintf("%s Ihr Termin bei %s wurde auf %s verlegt. Ihre neue Bestätigungsnummer: %s.",
			greeting(to), branch.Name, when, b.ConfirmationNumber), nil
	}
	return "", "", invalid("kind", "unknown event "+string(kind))
}

func greeting(c Contact) string {
	if c.Name == "" {
		return "Guten Tag,"
	}
	return "Guten Tag " + c.Name + ","
}
