package deploy_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The test clock of pkg/clock exists only in binaries built with the askpro_testclock tag, and
// only pkg/stack (for tests) builds them so. Nothing that builds, configures or runs a real
// deployment may name the tag or the clock file's variable, or pass build tags at all.
func TestProductionBuildsCannotMoveTheClock(t *testing.T) {
	var files []string
	for _, root := range []string{"docker", "k8s", "../scripts"} {
		require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, path)
			}
			return err
		}))
	}
	files = append(files, "../docker-compose.yml", "../Makefile", "../.ci/run")
	var dockerfiles int
	for _, path := range files {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		text := string(raw)
		require.NotContains(t, text, "askpro_testclock", path)
		require.NotContains(t, text, "ASKPRO_TEST_CLOCK_FILE", path)
		if strings.HasSuffix(path, ".Dockerfile") {
			dockerfiles++
			require.Contains(t, text, "go build", path)
			require.NotContains(t, text, "-tags", "%s builds with tags", path)
		}
	}
	require.GreaterOrEqual(t, dockerfiles, 7, "every service and calsim has a Dockerfile")
}
