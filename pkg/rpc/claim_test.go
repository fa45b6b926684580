package rpc

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryDelayDoublesUpToItsCap(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: ServerConfig{Service: "x", ClaimMinIdle: 5 * time.Second}}
	_ = s.cfg.defaults()
	want := []time.Duration{5, 5, 10, 20, 40, 80, 160, 300, 300}
	for deliveries, w := range want {
		assert.Equal(t, w*time.Second, s.retryDelay(int64(deliveries)), "after %d deliveries", deliveries)
	}
	assert.Equal(t, 5*time.Minute, s.retryDelay(1<<62), "no overflow")

	// A cap below ClaimMinIdle is raised to it: nothing is claimed before ClaimMinIdle.
	s = &Server{cfg: ServerConfig{Service: "x", ClaimMinIdle: 5 * time.Second, RetryMaxDelay: time.Second}}
	_ = s.cfg.defaults()
	assert.Equal(t, 5*time.Second, s.retryDelay(3))
}
