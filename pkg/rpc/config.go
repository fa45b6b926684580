package rpc

import (
	"fmt"
	"os"
)

// DefaultInstance is the consumer name used when a config leaves Instance empty: POD_NAME,
// else hostname-pid. A pod keeps its name across container restarts, so its pending entries
// are picked up again by the same consumer.
func DefaultInstance() string {
	if name := os.Getenv("POD_NAME"); name != "" {
		return name
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "local"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
