package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/services/booking/internal/booking"
)

// Provider sends one text message to an E.164 number.
type Provider interface {
	SendSMS(ctx context.Context, to, text string) error
}

// SMS is the SMS channel over a Provider.
type SMS struct {
	p Provider
}

// NewSMS returns the SMS channel.
func NewSMS(p Provider) *SMS { return &SMS{p: p} }

// Name implements Channel.
func (*SMS) Name() string { return "sms" }

// Reaches implements Channel.
func (*SMS) Reaches(c booking.Contact) bool { return c.Phone != "" }

// Send implements Channel.
func (s *SMS) Send(ctx context.Context, c booking.Confirmation) error {
	return s.p.SendSMS(ctx, c.To.Phone, c.Text)
}

// HTTPProvider posts {"to", "from", "text"} as JSON with a bearer token: the shape most SMS
// gateways accept or can be adapted to with a small proxy.
type HTTPProvider struct {
	url    string
	token  string
	sender string
	client *http.Client
}

// NewHTTPProvider returns a provider posting to url.
func NewHTTPProvider(url, token, sender string, timeout time.Duration) *HTTPProvider {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &HTTPProvider{url: url, token: token, sender: sender, client: &http.Client{Timeout: timeout}}
}

type smsBody struct {
	To   string `json:"to"`
	From string `json:"from,omitempty"`
	Text string `json:"text"`
}

// SendSMS implements Provider. 4xx answers other than 408 and 429 are permanent.
func (h *HTTPProvider) SendSMS(ctx context.Context, to, text string) error {
	body, err := json.Marshal(smsBody{To: to, From: h.sender, Text: text})
	if err != nil {
		return fmt.Errorf("encode sms: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms request: %w: %w", ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.token)
	resp, err := h.client.Do(req)
	if err != nil {
		return fmt.Errorf("sms post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return fmt.Errorf("sms provider answered %d", resp.StatusCode)
	}
	return fmt.Errorf("sms provider answered %d: %w", resp.StatusCode, ErrPermanent)
}

// LogProvider writes messages to the log instead of sending them (development); the number is
// masked.
type LogProvider struct {
	log zerolog.Logger
}

// NewLogProvider returns the development sink.
func NewLogProvider(log zerolog.Logger) *LogProvider { return &LogProvider{log: log} }

// SendSMS implements Provider.
func (l *LogProvider) SendSMS(_ context.Context, to, text string) error {
	l.log.Info().Str("to_phone", logging.Phone(to)).Str("text", text).Msg("sms_logged")
	return nil
}
