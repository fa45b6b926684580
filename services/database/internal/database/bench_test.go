package database

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
)

// BenchmarkHotReads compares the hot reads straight from PostgreSQL with the cached path
// (an L1 hit, and a Redis hit with L1 disabled by a 1ns TTL).
func BenchmarkHotReads(b *testing.B) {
	e := newEnv(b, false)
	tn := newTenant(b, e.store, "Salon")
	r := testenv.Redis(b)
	stores := map[string]*Store{"uncached": e.store}
	// L1TTL 0 keeps the default; 1ns makes every L1 entry expire at once, so reads go to Redis.
	for name, l1 := range map[string]int64{"cached-l1": 0, "cached-redis": 1} {
		c := NewCache(r.Client, CacheOptions{Namespace: r.Prefix + name, L1TTL: time.Duration(l1), Logger: zerolog.Nop()})
		s, err := New(b.Context(), Options{WriteURL: e.url, Cipher: e.store.cipher, Cache: c, Logger: zerolog.Nop()})
		require.NoError(b, err)
		b.Cleanup(s.Close)
		stores[name] = s
	}
	reads := map[string]func(ctx context.Context, s *Store) error{
		"branchByPhone": func(ctx context.Context, s *Store) error {
			_, err := s.BranchByPhone(ctx, "", tn.branch.PhoneNumber)
			return err
		},
		"eventTypes": func(ctx context.Context, s *Store) error {
			_, err := s.EventTypes(ctx, tn.company.ID, tn.branch.ID)
			return err
		},
		"staffByName": func(ctx context.Context, s *Store) error {
			_, err := s.StaffByName(ctx, tn.company.ID, tn.branch.ID, "steffi")
			return err
		},
		"companyByKeyDigest": func(ctx context.Context, s *Store) error {
			_, err := s.CompanyByAPIKeyDigest(ctx, tn.apiKeyHex)
			return err
		},
	}
	for _, mode := range []string{"uncached", "cached-redis", "cached-l1"} {
		for _, read := range []string{"branchByPhone", "eventTypes", "staffByName", "companyByKeyDigest"} {
			b.Run(mode+"/"+read, func(b *testing.B) {
				s, fn := stores[mode], reads[read]
				ctx := b.Context()
				require.NoError(b, fn(ctx, s)) // warm
				b.ReportAllocs()
				for b.Loop() {
					if err := fn(ctx, s); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
