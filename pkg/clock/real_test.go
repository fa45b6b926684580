//go:build !askpro_testclock

package clock

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A normal build never reads the clock file, whatever the environment says.
func TestNowIgnoresTheClockFileInNormalBuilds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clock")
	require.NoError(t, Set(path, time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC)))
	t.Setenv(EnvFile, path)
	require.False(t, Overridable)
	require.WithinDuration(t, time.Now(), Now(), time.Second)
}
