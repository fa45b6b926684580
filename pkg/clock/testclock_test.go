//go:build askpro_testclock

package clock

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Run with: GOWORK=off go test -tags askpro_testclock ./clock/
func TestNowFollowsTheClockFileInTestClockBuilds(t *testing.T) {
	require.True(t, Overridable)
	path := filepath.Join(t.TempDir(), "clock")
	t.Setenv(EnvFile, path)
	require.WithinDuration(t, time.Now(), Now(), time.Second, "no file yet: the real time")

	ref := time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC)
	require.NoError(t, Set(path, ref))
	require.WithinDuration(t, ref, Now(), time.Second)

	later := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	require.NoError(t, Set(path, later))
	require.WithinDuration(t, later, Now(), time.Second, "re-read on every call")

	require.NoError(t, os.WriteFile(path, []byte("kaputt"), 0o600))
	require.WithinDuration(t, time.Now(), Now(), time.Second, "a file that is no clock: the real time")
}
