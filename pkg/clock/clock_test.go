package clock

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSetWritesAClockThatRunsOnFromTheReference(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clock")
	ref := time.Date(2026, 3, 29, 1, 59, 0, 0, time.UTC)
	setAt := time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)
	require.NoError(t, write(path, ref, setAt))
	body, err := os.ReadFile(path)
	require.NoError(t, err)

	got, err := at(string(body), setAt.Add(90*time.Second))
	require.NoError(t, err)
	require.True(t, got.Equal(ref.Add(90*time.Second)), "%s", got)

	later := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	require.NoError(t, write(path, later, setAt), "moving the clock again replaces the file")
	body, err = os.ReadFile(path)
	require.NoError(t, err)
	got, err = at(string(body), setAt)
	require.NoError(t, err)
	require.True(t, got.Equal(later))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left behind")
}

func TestParseRejectsWhatIsNotAClock(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"empty", ""},
		{"one line", "2026-12-07T10:00:00Z\n"},
		{"three lines", "2026-12-07T10:00:00Z\n2026-12-07T10:00:00Z\n2026-12-07T10:00:00Z\n"},
		{"bad reference", "morgen\n2026-12-07T10:00:00Z\n"},
		{"bad set-at", "2026-12-07T10:00:00Z\ngestern\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := at(tc.body, time.Now())
			require.Error(t, err)
		})
	}
}

func TestSetFailsInAMissingFolder(t *testing.T) {
	require.Error(t, Set(filepath.Join(t.TempDir(), "missing", "clock"), time.Now()))
}

func TestReadSaysWhatATestClockBinarySees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clock")
	ref := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	before := time.Now()
	require.NoError(t, Set(path, ref))
	got, err := Read(path)
	elapsed := time.Since(before)
	require.NoError(t, err)
	require.False(t, got.Before(ref), "%s is before the reference", got)
	require.False(t, got.After(ref.Add(elapsed)), "%s runs ahead of real time", got)

	_, err = Read(filepath.Join(t.TempDir(), "missing"))
	require.ErrorContains(t, err, "read test clock")
	require.NoError(t, os.WriteFile(path, []byte("not a clock\n"), 0o600))
	_, err = Read(path)
	require.Error(t, err)
}
