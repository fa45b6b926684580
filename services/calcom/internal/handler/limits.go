package handler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	client "github.com/askproai/backend/services/calcom/internal/calcom"
)

// syncEventTypeLimits reads each active event type of the company from Cal.com by its Cal.com
// id and stores its notice and horizon (nil where Cal.com sets none). An event type Cal.com
// does not know is reported and left as it was; any other failure stops the sync (what was
// stored stays: running it again is safe).
func (h *Handler) syncEventTypeLimits(ctx context.Context, p calcom.SyncEventTypeLimitsParams) (calcom.SyncEventTypeLimitsResult, error) {
	if h.store == nil {
		return calcom.SyncEventTypeLimitsResult{}, fmt.Errorf("sync event type limits without a database: %w", client.ErrInvalidInput)
	}
	acct, err := h.account(ctx, p.CompanyID)
	if err != nil {
		return calcom.SyncEventTypeLimitsResult{}, err
	}
	company, err := h.store.Company(ctx, database.CompanyParams{CompanyID: p.CompanyID})
	if err != nil {
		return calcom.SyncEventTypeLimitsResult{}, fmt.Errorf("load company %s: %w", p.CompanyID, err)
	}
	loc, err := time.LoadLocation(company.TimeZone)
	if err != nil {
		return calcom.SyncEventTypeLimitsResult{}, fmt.Errorf("time zone of company %s: %w", p.CompanyID, err)
	}
	list, err := h.store.EventTypes(ctx, database.CatalogueParams{CompanyID: p.CompanyID})
	if err != nil {
		return calcom.SyncEventTypeLimitsResult{}, fmt.Errorf("list event types of %s: %w", p.CompanyID, err)
	}
	out := calcom.SyncEventTypeLimitsResult{EventTypes: make([]calcom.EventTypeLimits, 0, len(list.EventTypes))}
	for _, et := range list.EventTypes {
		item, err := h.syncLimits(ctx, acct, et, loc)
		if err != nil {
			return calcom.SyncEventTypeLimitsResult{}, h.failed(p.CompanyID, err)
		}
		out.EventTypes = append(out.EventTypes, item)
	}
	return out, nil
}

func (h *Handler) syncLimits(ctx context.Context, acct *client.Account, et database.EventType, loc *time.Location) (calcom.EventTypeLimits, error) {
	item := calcom.EventTypeLimits{EventTypeID: et.ID, CalcomEventTypeID: et.CalcomEventTypeID, Name: et.Name}
	got, err := acct.EventTypeLimits(ctx, int(et.CalcomEventTypeID))
	if errors.Is(err, client.ErrNotFound) {
		item.Error = "cal.com does not know this event type"
		return item, nil
	}
	if err != nil {
		return item, fmt.Errorf("sync event type limits: %w", err)
	}
	l, err := got.Limits(h.now(), loc)
	if err != nil {
		return item, fmt.Errorf("sync event type limits: %w", err)
	}
	item.MinimumNoticeMinutes, item.BookingHorizonDays = l.NoticeMinutes, l.HorizonDays
	if got.BookingWindow != nil && !got.BookingWindow.Disabled {
		item.WindowType = got.BookingWindow.Type
	}
	_, err = h.store.SetCalcomLimits(rpc.WithDefaultActor(ctx, "calcom.syncEventTypeLimits"), database.SetCalcomLimitsParams{CompanyID: et.CompanyID,
		CalcomEventTypeID: et.CalcomEventTypeID, MinimumNoticeMinutes: l.NoticeMinutes,
		BookingHorizonDays: l.HorizonDays})
	if err != nil {
		return item, fmt.Errorf("store limits of event type %d: %w", et.CalcomEventTypeID, err)
	}
	return item, nil
}
