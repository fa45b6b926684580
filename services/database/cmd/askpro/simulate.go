package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/services/database/cmd/askpro/democall"
)

func (a *app) simulateCall(ctx context.Context, args []string) error {
	fs := newFlags("simulate-call")
	// The real clock: clock.Now is time.Now in every build but a test-clock one, where the
	// end-to-end test plays the demo call on the day it sets (pkg/clock).
	o := democall.Options{Now: clock.Now}
	fs.StringVar(&o.GatewayURL, "gateway", "http://127.0.0.1:8080", "the gateway's base URL")
	fs.StringVar(&o.RetellKey, "retell-key", "", "the gateway's RETELL_API_KEY (signs every request)")
	fs.StringVar(&o.To, "to", DemoPhoneMitte, "the dialled branch number")
	fs.StringVar(&o.From, "from", DemoCallerPhone, "the caller's number")
	fs.StringVar(&o.CallerName, "name", "Anna Weber", "the caller's name")
	fs.StringVar(&o.Service, "service", "Haare schneiden", "the service, in the caller's words")
	fs.StringVar(&o.Date, "date", "nächsten Dienstag", "the day, in the caller's words")
	fs.StringVar(&o.Time, "time", "halb drei", "the time, in the caller's words")
	fs.StringVar(&o.BookingLog, "booking-log", "", "the booking service's log file, to show the SMS its log sink wrote")
	fs.DurationVar(&o.StoreTimeout, "wait", 20*time.Second, "how long to wait for the call to be stored")
	noBus := fs.Bool("no-bus", false, "skip the stored call and analytics (no Redis access)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("simulate-call: %w", err)
	}
	if o.RetellKey == "" {
		return fmt.Errorf("simulate-call: --retell-key is required")
	}
	if !*noBus {
		bus, err := a.busClient(ctx)
		if err != nil {
			return fmt.Errorf("simulate-call: %w (use --no-bus to skip the stored call and analytics)", err)
		}
		o.Bus = bus
	}
	writef(a.out, "calling %s from %s through %s …\n", o.To, logging.Phone(o.From), o.GatewayURL)
	res, err := democall.Run(ctx, o)
	printCall(a.out, res, o)
	return err
}

// printCall reports the call; the caller's number is masked everywhere.
func printCall(out io.Writer, r democall.Result, o democall.Options) {
	mask := func(s string) string { return string(logging.MaskBytes([]byte(s))) }
	writef(out, "\ncall %s\n", r.CallID)
	for _, s := range r.Steps {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
		}
		writef(out, "  [%s] %-20s %s\n", mark, s.Name, mask(s.Detail))
	}
	if r.BranchID != "" {
		writef(out, "\nbranch:        %s (%s), company %s, %s\n", r.BranchName, r.BranchID,
			r.DynamicVariables["company_name"], r.TimeZone)
		writef(out, "agent hears:   %s\n", r.DynamicVariables["current_time"])
	}
	if len(r.Exchange) > 0 {
		writeln(out, "\nconversation:")
		for _, line := range strings.SplitAfter(strings.TrimSuffix(r.Conversation(), "\n"), "\n") {
			writef(out, "  %s", mask(line))
		}
		writeln(out, "")
	}
	for _, opt := range r.Availability.Options {
		writef(out, "  offered      %s  (%s, %s)\n", opt.Spoken, opt.StaffName, opt.Start)
	}
	for i, b := range r.Bookings {
		writef(out, "book #%d:       success=%t %s\n", i+1, b.Success, b.Error)
	}
	if r.Clarified != "" {
		writef(out, "caller meant:  %s (the agent asked which day)\n", r.Clarified)
	}
	if r.Chosen != nil {
		writef(out, "caller chose:  %s with %s\n", r.Chosen.Spoken, r.Chosen.StaffName)
	}
	if r.Booked != nil {
		writef(out, "\nbooking:       appointment %s at %s\n", r.Booked.AppointmentID, r.Booked.Start)
		writef(out, "confirmation:  %s (%s)\n", r.Booked.ConfirmationNumber, r.Booked.ConfirmationSpoken)
		writef(out, "message:       %s\n", r.Confirmation)
		switch {
		case r.SMS != "":
			writef(out, "sms (log sink): %s\n", mask(r.SMS))
		case o.BookingLog != "":
			writef(out, "sms (log sink): no sms_logged line with %s in %s yet (confirmations are sent on booking.created)\n",
				r.Booked.ConfirmationNumber, o.BookingLog)
		default:
			writeln(out, "sms:           sent by the booking service on booking.created (SMS_PROVIDER); pass --booking-log to show the log sink's line")
		}
	}
	if c := r.Stored; c != nil {
		writef(out, "\nstored call:   %s status=%s duration=%ds sentiment=%s appointment=%s\n", c.ID, c.Status,
			c.DurationSeconds, orDash(c.Sentiment), orDash(c.AppointmentID))
		writef(out, "  from %s to %s, started %s, transcript %d lines\n", logging.Phone(c.FromNumber), c.ToNumber,
			c.StartedAt.UTC().Format(time.RFC3339), strings.Count(c.Transcript, "\n"))
	}
	if a := r.Analytics; a != nil {
		t := a.Total
		writef(out, "\nanalytics %s (%s): calls=%d answered=%d bookings=%d conversion=%.0f%% avg=%.0fs sentiment +%d/=%d/-%d missed=%d\n",
			r.Today, a.TimeZone, t.Calls, t.Answered, t.BookingsFromCalls, 100*t.Conversion, t.AvgDurationSeconds,
			t.SentimentPositive, t.SentimentNeutral, t.SentimentNegative, t.MissedOpportunities)
	}
	if r.OK() {
		writeln(out, "\ndemo call: every step succeeded")
	} else {
		writeln(out, "\ndemo call: FAILED (see the steps above)")
	}
}
