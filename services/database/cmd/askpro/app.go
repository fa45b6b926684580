package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/migrations"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/tlsconf"
	"github.com/askproai/backend/services/database/internal/database"
)

// app holds what the subcommands share; connections open on first use.
type app struct {
	cfg   Config
	out   io.Writer
	now   func() time.Time // the business clock
	store *database.Store
	rdb   *redis.Client
	bus   *rpc.Client
	pg    *pgx.Conn // maintenance jobs' own connection
}

func (a *app) close() {
	if a.bus != nil {
		_ = a.bus.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
	if a.rdb != nil {
		_ = a.rdb.Close()
	}
	if a.pg != nil {
		_ = a.pg.Close(context.Background())
	}
}

func (a *app) needDatabase() error {
	if a.cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set (the application database, e.g. …/askpro)")
	}
	return nil
}

// redis connects to REDIS_URL.
func (a *app) redis(ctx context.Context) (*redis.Client, error) {
	if a.rdb != nil {
		return a.rdb, nil
	}
	rdb, err := tlsconf.NewRedis(a.cfg.RedisURL, a.cfg.RedisTLS, "askpro")
	if err != nil {
		return nil, err
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis: %w", tlsconf.ExplainRedis(a.cfg.RedisURL, err))
	}
	a.rdb = rdb
	return rdb, nil
}

// openStore opens the database service's store, with its cache on the bus's Redis so that the
// running services see catalogue changes at once.
func (a *app) openStore(ctx context.Context) (*database.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	if err := a.needDatabase(); err != nil {
		return nil, err
	}
	if a.cfg.PIIKeys == "" || a.cfg.BlindIndexKey == "" {
		return nil, errors.New("PII_KEYS and BLIND_INDEX_KEY must be set (the database service's keys)")
	}
	cipher, err := database.ParseKeys(a.cfg.PIIKeys, a.cfg.BlindIndexKey)
	if err != nil {
		return nil, fmt.Errorf("PII_KEYS/BLIND_INDEX_KEY: %w", err)
	}
	rdb, err := a.redis(ctx)
	if err != nil {
		return nil, err
	}
	cache := database.NewCache(rdb, database.CacheOptions{Namespace: a.cfg.Namespace, Logger: zerolog.Nop()})
	store, err := database.New(ctx, database.Options{WriteURL: a.cfg.DatabaseURL, WriteConns: 4,
		Cipher: cipher, Region: a.cfg.Region, Cache: cache, Logger: zerolog.Nop()})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	a.store = store
	return store, nil
}

// busClient is a pkg/rpc client on REDIS_URL.
func (a *app) busClient(ctx context.Context) (*rpc.Client, error) {
	if a.bus != nil {
		return a.bus, nil
	}
	rdb, err := a.redis(ctx)
	if err != nil {
		return nil, err
	}
	bus, err := rpc.NewClient(rdb, rpc.ClientConfig{Instance: "askpro-cli-" + rpc.DefaultInstance(),
		Namespace: a.cfg.Namespace}, zerolog.Nop(), nil)
	if err != nil {
		return nil, fmt.Errorf("bus client: %w", err)
	}
	a.bus = bus
	return bus, nil
}

func (a *app) migrate(ctx context.Context) error {
	if err := a.needDatabase(); err != nil {
		return err
	}
	v, err := migrations.Up(ctx, a.cfg.DatabaseURL)
	if err != nil {
		return tlsconf.ExplainPostgres(err)
	}
	writef(a.out, "migrated: schema version %d\n", v)
	return nil
}
