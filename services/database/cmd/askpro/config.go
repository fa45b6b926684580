package main

import (
	"os/user"
	"regexp"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/phone"
)

// Config is every environment variable askpro reads, read once. Which of them a subcommand
// needs is checked by that subcommand (need*), so `askpro dlq list` works without PostgreSQL.
type Config struct {
	// DatabaseURL is the application database (DATABASE_URL), as the database service uses it.
	DatabaseURL string
	// RedisURL is the bus's Redis (REDIS_URL); RedisTLS its certificates (REDIS_TLS_*), as
	// the services read them.
	RedisURL string
	RedisTLS config.RedisTLS
	// Namespace prefixes the bus's keys (RPC_NAMESPACE).
	Namespace string
	// PIIKeys and BlindIndexKey are the database service's keys (PII_KEYS, BLIND_INDEX_KEY):
	// tenant commands encrypt the Cal.com API key with them.
	PIIKeys, BlindIndexKey string
	// Region reads phone numbers written without country code (DEFAULT_REGION, "DE"), as the
	// database service does.
	Region string
	// Actor names the operator (ASKPRO_ACTOR, default the OS user name); the audit log
	// records the CLI's changes as cli:<Actor>.
	Actor string
	// CalcomMetrics are the /metrics URLs of the calcom instances whose breaker states
	// `streams status` shows (CALCOM_METRICS_URLS, comma-separated).
	CalcomMetrics []string
}

func loadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.New(lookup)
	cfg := Config{
		DatabaseURL:   r.URL("DATABASE_URL", "", "postgres", "postgresql"),
		RedisURL:      config.ReadRedisURL(r),
		Namespace:     r.String("RPC_NAMESPACE", "askpro"),
		PIIKeys:       r.String("PII_KEYS", ""),
		BlindIndexKey: r.String("BLIND_INDEX_KEY", ""),
		Region:        phone.ReadRegion(r),
		Actor:         r.String("ASKPRO_ACTOR", osUser()),
		CalcomMetrics: r.List("CALCOM_METRICS_URLS", nil),
	}
	cfg.RedisTLS = config.ReadRedisTLS(r, cfg.RedisURL)
	if !actorPattern.MatchString(cfg.Actor) {
		r.Fail("ASKPRO_ACTOR", "want 1 to 64 letters, digits or . _ @ - (an operator's name), got %q", cfg.Actor)
	}
	return cfg, r.Err()
}

// actorPattern is what an operator's name may be: it lands in the append-only audit log.
var actorPattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// osUser is the login name of the user running askpro, the default operator; "" when the
// system cannot say (ASKPRO_ACTOR is then required).
func osUser() string {
	u, err := user.Current()
	if err != nil {
		return ""
	}
	return u.Username
}
