package gateway

import (
	"context"
	"errors"
	"strings"
	"time"

	bookingapi "github.com/askproai/backend/pkg/api/booking"
	routingapi "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
)

// understand runs the caller's words through routing.analyzeIntent. The model never computes
// dates; routing resolves them against the call's start in the branch's time zone.
func (s *Server) understand(ctx context.Context, c *fnCall) (routingapi.Intent, error) {
	return s.routing.AnalyzeIntent(ctx, routingapi.AnalyzeIntentParams{
		CompanyID: c.company, BranchID: c.branch, Text: wishText(c.args), ReferenceTime: c.ref,
	})
}

// clarify asks the caller to choose when the words allow several readings.
func clarify(in routingapi.Intent) (FunctionResult, bool) {
	if !in.Ambiguous || len(in.Times) < 2 {
		return FunctionResult{}, false
	}
	readings := make([]string, 0, len(in.Times))
	for _, w := range in.Times {
		readings = append(readings, w.Readback)
	}
	msg := "Meinen Sie " + strings.Join(readings[:len(readings)-1], ", ") + " oder " + readings[len(readings)-1] + "?"
	return FunctionResult{Message: msg, NeedsClarification: true, Error: "ambiguous_time"}, true
}

// availabilityParams turns the first reading of the wish into a query.
func availabilityParams(c *fnCall, in routingapi.Intent, eventTypeID, staffID string) bookingapi.AvailabilityParams {
	p := bookingapi.AvailabilityParams{
		CompanyID: c.company, BranchID: c.branch, EventTypeID: eventTypeID, StaffID: staffID,
		TimeZone: c.loc.String(), Limit: 3,
	}
	if len(in.Times) == 0 {
		p.From, p.To = c.ref, c.ref.Add(7*24*time.Hour)
		return p
	}
	w := in.Times[0]
	switch w.Kind {
	case "at":
		p.At = w.Start
	case "after":
		p.From, p.To = w.Start, w.Start.Add(7*24*time.Hour)
	case "before":
		p.From, p.To = c.ref, w.Start
	default: // range, day, week
		p.From, p.To = w.Start, w.End
	}
	return p
}

func offers(opts []bookingapi.Option) []SlotOffer {
	out := make([]SlotOffer, 0, len(opts))
	for _, o := range opts {
		out = append(out, SlotOffer{Start: o.Start.Format(time.RFC3339), Spoken: o.Spoken, StaffID: o.StaffID, StaffName: o.StaffName})
	}
	return out
}

func serviceOf(c *fnCall, in routingapi.Intent) string {
	if id := c.args["event_type_id"]; id != "" {
		return id
	}
	if in.Service != nil {
		return in.Service.ID
	}
	return ""
}

func staffOf(c *fnCall, in routingapi.Intent) string {
	if id := c.args["staff_id"]; id != "" {
		return id
	}
	if in.Staff != nil {
		return in.Staff.ID
	}
	return ""
}

func (s *Server) fnCheckAvailability(ctx context.Context, c *fnCall) FunctionResult {
	in, err := s.understand(ctx, c)
	if err != nil {
		return s.failure(ctx, err)
	}
	if res, ok := clarify(in); ok {
		return res
	}
	service := serviceOf(c, in)
	if service == "" {
		return FunctionResult{Message: sayWhichService, NeedsClarification: true, Error: "service_unknown"}
	}
	av, err := s.booking.CheckAvailability(ctx, availabilityParams(c, in, service, staffOf(c, in)))
	if err != nil {
		return s.failure(ctx, err)
	}
	return FunctionResult{Success: len(av.Options) > 0, Message: av.Message, Options: offers(av.Options), Error: av.Reason}
}

func (s *Server) fnBook(ctx context.Context, c *fnCall) FunctionResult {
	in, err := s.understand(ctx, c)
	if err != nil {
		return s.failure(ctx, err)
	}
	service := serviceOf(c, in)
	if service == "" {
		return FunctionResult{Message: sayWhichService, NeedsClarification: true, Error: "service_unknown"}
	}
	start, staff, res, ok := s.exactSlot(ctx, c, in, service)
	if !ok {
		return res
	}
	out, err := s.booking.Create(ctx, bookingapi.CreateParams{
		CompanyID: c.company, BranchID: c.branch, EventTypeID: service, StaffID: staff, Start: start,
		TimeZone: c.loc.String(), CallID: c.req.Call.CallID, CustomerPhone: firstNonEmpty(c.args["phone"], c.callerNo),
		CustomerName:  firstNonEmpty(c.args["name"], c.args["customer_name"], in.Caller.Name),
		CustomerEmail: c.args["email"], IdempotencyKey: c.idempotencyKey(),
	})
	if errors.Is(err, rpc.ErrConflict) || errors.Is(err, rpc.ErrSlotLocked) {
		return conflictResult(err)
	}
	if err != nil {
		return s.failure(ctx, err)
	}
	return FunctionResult{Success: true, Message: out.Message, Booking: &BookedSlot{
		AppointmentID: out.Booking.ID, Start: out.Booking.Start.Format(time.RFC3339),
		Spoken: "", ConfirmationNumber: out.Booking.ConfirmationNumber, ConfirmationSpoken: out.ConfirmationSpoken,
	}}
}

// exactSlot finds the one slot to book: an offer the agent passes back as start (+ staff_id),
// or an exact time the caller said that is free. Anything else is answered with options.
func (s *Server) exactSlot(ctx context.Context, c *fnCall, in routingapi.Intent, service string) (time.Time, string, FunctionResult, bool) {
	if st, err := time.Parse(time.RFC3339, c.args["start"]); err == nil && c.args["staff_id"] != "" {
		return st, c.args["staff_id"], FunctionResult{}, true
	}
	if res, ok := clarify(in); ok {
		return time.Time{}, "", res, false
	}
	if len(in.Times) == 0 {
		return time.Time{}, "", FunctionResult{Message: sayWhen, NeedsClarification: true, Error: "time_missing"}, false
	}
	av, err := s.booking.CheckAvailability(ctx, availabilityParams(c, in, service, staffOf(c, in)))
	if err != nil {
		return time.Time{}, "", s.failure(ctx, err), false
	}
	if in.Times[0].Kind == "at" && av.Exact && len(av.Options) > 0 {
		return av.Options[0].Start, av.Options[0].StaffID, FunctionResult{}, true
	}
	return time.Time{}, "", FunctionResult{Message: av.Message, Options: offers(av.Options), NeedsClarification: true, Error: firstNonEmpty(av.Reason, "slot_unavailable")}, false
}

// conflictResult reads the alternatives the booking service sends with a conflict.
func conflictResult(err error) FunctionResult {
	res := FunctionResult{Message: "Dieser Termin ist leider gerade vergeben worden.", Error: "slot_taken", NeedsClarification: true}
	var re *rpc.Error
	if !errors.As(err, &re) || re.Data == nil {
		return res
	}
	var alt bookingapi.Alternatives
	if re.DecodeData(&alt) != nil {
		return res
	}
	all := append(append(append([]bookingapi.Option{}, alt.SameStaff...), alt.OtherStaff...), alt.NextDays...)
	res.Options = offers(all)
	if alt.Message != "" {
		res.Message = alt.Message
	}
	if alt.Reason != "" && alt.Reason != "taken" {
		res.Error = alt.Reason // a booking rule (closed, holiday, too_soon, …), not a lost slot
	}
	return res
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
