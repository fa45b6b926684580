package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/notify"
)

// smtpServer is a tiny in-process SMTP server that accepts every message and keeps it.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func startSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	r := bufio.NewReader(conn)
	say := func(line string) { _, _ = io.WriteString(conn, line+"\r\n") }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.TrimSpace(line[8:]))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

func confirmation(id string) booking.Confirmation {
	return booking.Confirmation{EventID: id, Kind: booking.EventCreated, Subject: "Terminbestätigung",
		Text: "Guten Tag, Ihr Termin am Dienstag, 1. Dezember, um 14:30 Uhr ist gebucht.",
		To:   booking.Contact{Phone: "+4915112345678", Email: "erika@example.org", Name: "Erika"}}
}

func TestSMTPSendsGermanMail(t *testing.T) {
	srv := startSMTP(t)
	ch := notify.NewSMTP(notify.SMTPConfig{Addr: srv.ln.Addr().String(), From: "termine@askproai.de"})
	require.NoError(t, ch.Send(t.Context(), confirmation("e1")))
	msgs := srv.messages()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0], "Subject: =?utf-8?q?Terminbest=C3=A4tigung?=")
	require.Contains(t, msgs[0], "To: erika@example.org")
	body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(msgs[0][strings.Index(msgs[0], "\r\n\r\n")+4:])))
	require.NoError(t, err)
	require.Contains(t, string(body), "Dienstag, 1. Dezember, um 14:30 Uhr")
}

func TestHTTPProvider(t *testing.T) {
	tests := []struct {
		name      string
		status    []int
		permanent bool
		calls     int32
		ok        bool
	}{
		{name: "accepted", status: []int{200}, calls: 1, ok: true},
		{name: "5xx then accepted", status: []int{503, 429, 202}, calls: 3, ok: true},
		{name: "refused", status: []int{400}, calls: 1, permanent: true},
		{name: "always down", status: []int{500, 500, 500}, calls: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				require.Equal(t, "Bearer secret", r.Header.Get("Authorization"))
				var body map[string]string
				require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
				require.Equal(t, "+4915112345678", body["to"])
				require.Equal(t, "AskPro", body["from"])
				require.Contains(t, body["text"], "14:30 Uhr")
				w.WriteHeader(tc.status[min(int(n), len(tc.status))-1])
			}))
			t.Cleanup(srv.Close)
			env := testenv.Redis(t)
			d := notify.New(env.Client, env.Prefix+"askpro", notify.Config{Attempts: 3, BaseBackoff: time.Millisecond},
				zerolog.Nop(), notify.NewSMS(notify.NewHTTPProvider(srv.URL, "secret", "AskPro", time.Second)))
			c := confirmation("e-" + tc.name)
			c.To.Email = ""
			err := d.Notify(t.Context(), c)
			require.Equal(t, tc.ok, err == nil, "err %v", err)
			require.Equal(t, tc.permanent, errors.Is(err, notify.ErrPermanent))
			require.Equal(t, tc.calls, calls.Load())
		})
	}
}

type countingChannel struct {
	name  string
	fails atomic.Int32
	sent  atomic.Int32
}

func (c *countingChannel) Name() string               { return c.name }
func (*countingChannel) Reaches(booking.Contact) bool { return true }
func (c *countingChannel) Send(context.Context, booking.Confirmation) error {
	if c.fails.Add(-1) >= 0 {
		return errors.New("temporary")
	}
	c.sent.Add(1)
	return nil
}

func TestNeverSentTwicePerEventAndChannel(t *testing.T) {
	env := testenv.Redis(t)
	mail, sms := &countingChannel{name: "email"}, &countingChannel{name: "sms"}
	mail.fails.Store(2)
	d := notify.New(env.Client, env.Prefix+"askpro", notify.Config{Attempts: 5, BaseBackoff: time.Millisecond}, zerolog.Nop(), mail, sms)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { _ = d.Notify(t.Context(), confirmation("e-dup")) })
	}
	wg.Wait()
	require.NoError(t, d.Notify(t.Context(), confirmation("e-dup")), "a redelivered event is a no-op")
	require.EqualValues(t, 1, mail.sent.Load(), "retried until sent, once")
	require.EqualValues(t, 1, sms.sent.Load())
	require.NoError(t, d.Notify(t.Context(), confirmation("e-other")))
	require.EqualValues(t, 2, sms.sent.Load(), "another event is sent")
}

func TestLogProviderMasksPhone(t *testing.T) {
	var buf strings.Builder
	p := notify.NewLogProvider(zerolog.New(&buf))
	require.NoError(t, p.SendSMS(t.Context(), "+4915112345678", "Hallo"))
	require.NotContains(t, buf.String(), "15112345678")
	require.Contains(t, buf.String(), "sms_logged")
}
