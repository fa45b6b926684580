package deploy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

type composeFile struct {
	Services map[string]composeService `json:"services"`
	Volumes  map[string]any            `json:"volumes"`
}

type composeService struct {
	Image       string            `json:"image"`
	Build       map[string]string `json:"build"`
	Command     any               `json:"command"`
	Environment map[string]string `json:"environment"`
	Volumes     []string          `json:"volumes"`
	DependsOn   any               `json:"depends_on"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile("../docker-compose.yml")
	require.NoError(t, err)
	var c composeFile
	require.NoError(t, yaml.Unmarshal(raw, &c), "docker-compose.yml parses (merge keys included)")
	return c
}

// opsPorts is each service's OPS_ADDR port in docker-compose.yml.
func opsPorts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range askproServices {
		s, ok := loadCompose(t).Services[name]
		require.True(t, ok, "service %s in docker-compose.yml", name)
		out[name] = strings.TrimPrefix(s.Environment["OPS_ADDR"], ":")
	}
	return out
}

func TestComposeStack(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"redis", "postgres", "seed", "calsim", "prometheus", "alertmanager", "grafana"} {
		require.Contains(t, c.Services, name)
	}
	require.Contains(t, c.Services["redis"].Command, "--appendonly")
	require.Contains(t, c.Services["redis"].Command, "everysec")

	for _, name := range append([]string{"calsim"}, askproServices...) {
		s := c.Services[name]
		df := s.Build["dockerfile"]
		require.Equal(t, ".", s.Build["context"], "%s builds from the repository root", name)
		require.Equal(t, "deploy/docker/"+name+".Dockerfile", df, name)
		_, err := os.Stat(filepath.Join("..", df))
		require.NoError(t, err, "%s: %s exists", name, df)
	}
	for _, name := range askproServices {
		env := c.Services[name].Environment
		require.Equal(t, "redis://redis:6379/0", env["REDIS_URL"], name)
		require.NotEmpty(t, env["OPS_ADDR"], name)
		require.NotNil(t, c.Services[name].DependsOn, name)
	}
	db := c.Services["database"].Environment
	require.Contains(t, db["DATABASE_URL"], "@postgres:5432/askpro")
	require.NotEmpty(t, db["PII_KEYS"])
	require.NotEmpty(t, db["BLIND_INDEX_KEY"])
	require.Equal(t, c.Services["seed"].Environment["DATABASE_URL"], db["DATABASE_URL"], "seed migrates the service's database")
	require.Contains(t, c.Services["calcom"].Environment["CALCOM_BASE_URL"], "calsim:9180")
	require.NotEmpty(t, c.Services["gateway"].Environment["RETELL_API_KEY"])
	// The booking service has no SMS_PROVIDER default; the compose stack is for development and
	// chooses the log sink unless the environment names a real provider.
	require.Equal(t, "${SMS_PROVIDER:-log}", c.Services["booking"].Environment["SMS_PROVIDER"])
	require.Contains(t, c.Services["seed"].Build["dockerfile_inline"], "./cmd/askpro")

	mounts := strings.Join(c.Services["prometheus"].Volumes, " ")
	require.Contains(t, mounts, "./deploy/prometheus/rules:/etc/prometheus/rules")
	require.Contains(t, mounts, "./deploy/prometheus/prometheus.yml:")
	require.Contains(t, strings.Join(c.Services["grafana"].Volumes, " "), "./deploy/grafana/dashboards:")
	am := strings.Join(c.Services["alertmanager"].Volumes, " ")
	require.Contains(t, am, "./deploy/alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml")
	require.Contains(t, am, "./deploy/alertmanager/secrets:/etc/alertmanager/secrets")
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			src := strings.SplitN(v, ":", 2)[0]
			if strings.HasPrefix(src, "./") {
				_, err := os.Stat(filepath.Join("..", src))
				require.NoError(t, err, "%s mounts %s", name, src)
			} else {
				require.Contains(t, c.Volumes, src, "%s uses volume %s", name, src)
			}
		}
		deps, _ := s.DependsOn.(map[string]any)
		for dep := range deps {
			require.Contains(t, c.Services, dep, "%s depends on %s", name, dep)
		}
	}
}
