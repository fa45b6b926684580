package main

import (
	"time"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/phone"
)

// Config is every setting of the booking service, read once at start.
type Config struct {
	config.Common

	Workers int

	LockTTL        time.Duration // BOOKING_LOCK_TTL: slot reservation lifetime
	IdempotencyTTL time.Duration // BOOKING_IDEMPOTENCY_TTL: how long create results are kept
	SearchDays     int           // BOOKING_SEARCH_DAYS: how far handleConflict looks ahead
	CatalogueTTL   time.Duration // BOOKING_CATALOGUE_TTL: in-process cache of branches, event types, staff
	ReconcileEvery time.Duration // BOOKING_RECONCILE_INTERVAL: how often orphan records are worked; 0 disables
	ReconcileAfter time.Duration // BOOKING_RECONCILE_AFTER: how old a record must be to be worked
	ConfirmGroup   string        // consumer group of the event subscriptions
	Region         string        // DEFAULT_REGION: region of phone numbers written without country code

	SMTP SMTPConfig
	SMS  SMSConfig
}

// SMTPConfig enables e-mail confirmations when Addr is set.
type SMTPConfig struct {
	Addr, From, Username, Password string
	StartTLS                       bool
}

// SMSConfig selects the SMS provider: "http" (URL and token required), "none" (no SMS) or "log"
// (development: confirmations are written to the log and reach nobody). There is no default:
// a deployment that forgets the setting must not start and quietly send every confirmation to
// its log. make run, the compose stack and pkg/stack choose "log" explicitly.
type SMSConfig struct {
	Provider, URL, Token, Sender string
}

// minReconcileAfter is the default request deadline of pkg/rpc.
const minReconcileAfter = 30 * time.Second

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{
		Common:         config.ReadCommon(r, "booking", ":9103"),
		Workers:        r.IntRange("RPC_WORKERS", 64, 1, 4096),
		LockTTL:        r.Duration("BOOKING_LOCK_TTL", 30*time.Second),
		IdempotencyTTL: r.Duration("BOOKING_IDEMPOTENCY_TTL", 24*time.Hour),
		SearchDays:     r.IntRange("BOOKING_SEARCH_DAYS", 7, 1, 60),
		CatalogueTTL:   r.Duration("BOOKING_CATALOGUE_TTL", 30*time.Second),
		ReconcileEvery: r.Duration("BOOKING_RECONCILE_INTERVAL", time.Minute),
		ReconcileAfter: r.Duration("BOOKING_RECONCILE_AFTER", 2*time.Minute),
		ConfirmGroup:   r.String("BOOKING_CONFIRM_GROUP", "booking"),
		Region:         phone.ReadRegion(r),
		SMTP: SMTPConfig{
			Addr: r.String("SMTP_ADDR", ""), From: r.String("SMTP_FROM", "termine@askproai.de"),
			Username: r.String("SMTP_USERNAME", ""), Password: r.String("SMTP_PASSWORD", ""),
			StartTLS: r.Bool("SMTP_STARTTLS", true),
		},
		SMS: SMSConfig{
			Provider: smsProvider(r),
			URL:      r.URL("SMS_HTTP_URL", "", "http", "https"), Token: r.String("SMS_HTTP_TOKEN", ""),
			Sender: r.String("SMS_SENDER", "AskPro"),
		},
	}
	if cfg.LockTTL < 2*time.Second {
		r.Fail("BOOKING_LOCK_TTL", "at least 2s")
	}
	if cfg.ReconcileAfter < minReconcileAfter {
		// A lost create may still land at Cal.com until its request's deadline (30 s by default)
		// has passed; looked up earlier, it would be missed.
		r.Fail("BOOKING_RECONCILE_AFTER", "at least 30s, longer than a request's deadline")
	}
	if cfg.SMS.Provider == "http" && (cfg.SMS.URL == "" || cfg.SMS.Token == "") {
		r.Fail("SMS_HTTP_URL/SMS_HTTP_TOKEN", "required when SMS_PROVIDER=http")
	}
	return cfg, r.Err()
}

// smsProvider reads SMS_PROVIDER, which has no default (see SMSConfig).
func smsProvider(r *config.Reader) string {
	if r.String("SMS_PROVIDER", "") == "" {
		r.Fail("SMS_PROVIDER", "required but not set: http (with SMS_HTTP_URL and SMS_HTTP_TOKEN) "+
			"sends confirmations, none sends no SMS, log (development only) writes them to the log")
		return ""
	}
	return r.OneOf("SMS_PROVIDER", "", "http", "none", "log")
}
