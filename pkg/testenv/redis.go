package testenv

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// RedisEnv is a test's view of Redis: a client and the key prefix that is the test's own.
type RedisEnv struct {
	Client *redis.Client
	// URL is the server's URL, for code under test that dials by itself.
	URL string
	// Prefix starts every key the test may use; everything under it is deleted afterwards.
	Prefix string
}

var (
	redisOnce sync.Once
	redisURL  string
	redisErr  error
)

// Redis returns a client and an isolated key prefix for t.
func Redis(t testing.TB) *RedisEnv {
	t.Helper()
	redisOnce.Do(func() { redisURL, redisErr = findRedis() })
	if redisErr != nil {
		unavailable(t, "Redis", redisErr)
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatalf("testenv: parse REDIS_URL: %v", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(t.Context()).Err(); err != nil {
		_ = client.Close()
		unavailable(t, "Redis", err)
	}
	env := &RedisEnv{Client: client, URL: redisURL, Prefix: "test:" + RandomSuffix() + ":"}
	t.Cleanup(func() {
		ctx := background()
		iter := client.Scan(ctx, 0, env.Prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
			if len(keys) == 500 {
				client.Unlink(ctx, keys...)
				keys = keys[:0]
			}
		}
		if len(keys) > 0 {
			client.Unlink(ctx, keys...)
		}
		_ = client.Close()
	})
	return env
}

func findRedis() (string, error) {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u, nil
	}
	u, err := startContainer("redis:7-alpine", "6379/tcp", nil, "Ready to accept connections")
	if err != nil {
		return "", fmt.Errorf("REDIS_URL is not set and no container could be started: %w", err)
	}
	return "redis://" + u + "/0", nil
}
