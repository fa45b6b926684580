package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"time"

	"github.com/askproai/backend/services/booking/internal/booking"
)

// SMTPConfig configures e-mail delivery.
type SMTPConfig struct {
	Addr     string // host:port
	From     string // envelope and header sender
	Username string // empty: no AUTH
	Password string
	StartTLS bool // upgrade when the server offers it (required for AUTH off localhost)
	Timeout  time.Duration
}

// SMTP sends confirmations by e-mail with net/smtp.
type SMTP struct {
	cfg SMTPConfig
}

// NewSMTP returns an e-mail channel.
func NewSMTP(cfg SMTPConfig) *SMTP {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &SMTP{cfg: cfg}
}

// Name implements Channel.
func (*SMTP) Name() string { return "email" }

// Reaches implements Channel.
func (*SMTP) Reaches(c booking.Contact) bool { return c.Email != "" }

// Send implements Channel: one connection per message, bounded by ctx and the timeout.
func (s *SMTP) Send(ctx context.Context, c booking.Confirmation) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("dial smtp: %w", err)
	}
	defer func() { _ = conn.Close() }() // Quit below reports the error that matters
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer func() { _ = cl.Close() }()
	if err := s.session(cl, host, c); err != nil {
		return err
	}
	return cl.Quit()
}

func (s *SMTP) session(cl *smtp.Client, host string, c booking.Confirmation) error {
	if ok, _ := cl.Extension("STARTTLS"); ok && s.cfg.StartTLS {
		if err := cl.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, host)); err != nil {
			return fmt.Errorf("smtp auth: %w: %w", ErrPermanent, err)
		}
	}
	if err := cl.Mail(s.cfg.From); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	if err := cl.Rcpt(c.To.Email); err != nil {
		return fmt.Errorf("smtp rcpt: %w: %w", ErrPermanent, err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if _, err := w.Write(s.message(c)); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end data: %w", err)
	}
	return nil
}

// message is a plain-text UTF-8 mail; the subject is RFC 2047 encoded, the body
// quoted-printable, so umlauts survive any relay.
func (s *SMTP) message(c booking.Confirmation) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\n", s.cfg.From, c.To.Email,
		mime.QEncoding.Encode("utf-8", c.Subject))
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n")
	fmt.Fprintf(&b, "Message-ID: <%s.%s@askproai>\r\n\r\n", c.EventID, s.Name())
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(c.Text + "\r\n"))
	_ = qp.Close()
	return b.Bytes()
}
