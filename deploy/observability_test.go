package deploy_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

var askproServices = []string{"gateway", "routing", "call", "booking", "database", "calcom"}

// exportedMetrics collects the metric names the Go code registers: every "askpro_…" string
// literal in the services and pkg (non-test files), with the _bucket/_sum/_count series a
// histogram adds.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	lit := regexp.MustCompile(`"(askpro_[a-z0-9_]+)"`)
	names := map[string]bool{}
	for _, dir := range []string{"../pkg", "../services"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
				for _, suffix := range []string{"", "_bucket", "_sum", "_count"} {
					names[m[1]+suffix] = true
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	require.True(t, names["askpro_rpc_server_requests_total"], "the collector found the rpc metrics")
	return names
}

// standard are the series every target has without our code: the scrape's own and the Go and
// process collectors of pkg/telemetry.NewRegistry; and kube-state-metrics' (kube_job_failed of
// the maintenance CronJobs' Jobs).
func standard(name string) bool {
	return name == "up" || strings.HasPrefix(name, "scrape_") || strings.HasPrefix(name, "go_") ||
		strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "kube_")
}

// metricsOf parses expr and returns the metric names it selects.
func metricsOf(t *testing.T, expr string) []string {
	t.Helper()
	e, err := parser.ParseExpr(expr)
	require.NoError(t, err, "expr %q", expr)
	var out []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			name := vs.Name
			for _, m := range vs.LabelMatchers {
				if m.Name == "__name__" {
					name = m.Value
				}
			}
			require.NotEmpty(t, name, "selector without a metric name in %q", expr)
			out = append(out, name)
		}
		return nil
	})
	return out
}

func requireExported(t *testing.T, exported map[string]bool, where, expr string) {
	t.Helper()
	for _, name := range metricsOf(t, expr) {
		require.True(t, exported[name] || standard(name), "%s uses %s, which no service exports", where, name)
	}
}

func TestAlertRules(t *testing.T) {
	exported := exportedMetrics(t)
	files, err := filepath.Glob("prometheus/rules/*.yml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	alerts := map[string]bool{}
	for _, f := range files {
		groups, errs := rulefmt.ParseFile(f, false, model.UTF8Validation)
		require.Empty(t, errs, "%s", f)
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				require.NotEmpty(t, r.Alert, "%s: only alerting rules here", f)
				require.NotEmpty(t, r.Annotations["summary"], "%s: %s has no summary", f, r.Alert)
				requireExported(t, exported, f+": "+r.Alert, r.Expr)
				alerts[r.Alert] = true
			}
		}
	}
	// What the issue asks for: the rollback triggers, dead letters, lag and an open breaker.
	for _, a := range []string{"AskproHighErrorRate", "AskproHighLatencyP95", "AskproHealthCheckFailing",
		"AskproHighMemory", "AskproDeadLettersGrowing", "AskproConsumerLag", "AskproCalcomBreakerOpen"} {
		require.True(t, alerts[a], "alert %s missing", a)
	}
}

type dashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Panels []struct {
		Title      string `json:"title"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr  string `json:"expr"`
			RefID string `json:"refId"`
		} `json:"targets"`
	} `json:"panels"`
}

func TestDashboards(t *testing.T) {
	exported := exportedMetrics(t)
	var uids []string
	for _, name := range append([]string{"overview"}, askproServices...) {
		path := filepath.Join("grafana/dashboards", name+".json")
		raw, err := os.ReadFile(path)
		require.NoError(t, err, "one dashboard per service plus the overview")
		var d dashboard
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		require.NoError(t, dec.Decode(&d), path)
		require.NotEmpty(t, d.UID, path)
		require.NotContains(t, uids, d.UID, "%s: duplicate uid", path)
		uids = append(uids, d.UID)
		require.NotEmpty(t, d.Panels, path)
		for _, p := range d.Panels {
			require.Equal(t, "prometheus", p.Datasource.UID, "%s: %s uses another datasource", path, p.Title)
			require.NotEmpty(t, p.Targets, "%s: %s has no query", path, p.Title)
			for _, q := range p.Targets {
				requireExported(t, exported, path+": "+p.Title, q.Expr)
			}
		}
	}
	raw, err := os.ReadFile("grafana/provisioning/datasources/prometheus.yml")
	require.NoError(t, err)
	var ds struct {
		Datasources []struct{ UID, URL string } `json:"datasources"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &ds))
	require.Len(t, ds.Datasources, 1)
	require.Equal(t, "prometheus", ds.Datasources[0].UID)
}

func TestPrometheusScrapesEveryService(t *testing.T) {
	raw, err := os.ReadFile("prometheus/prometheus.yml")
	require.NoError(t, err)
	var cfg struct {
		RuleFiles     []string `json:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `json:"job_name"`
			StaticConfigs []struct {
				Targets []string `json:"targets"`
			} `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &cfg))
	require.Equal(t, []string{"/etc/prometheus/rules/*.yml"}, cfg.RuleFiles)
	ops := opsPorts(t)
	var jobs []string
	for _, sc := range cfg.ScrapeConfigs {
		jobs = append(jobs, sc.JobName)
		require.Len(t, sc.StaticConfigs, 1)
		require.Equal(t, []string{sc.JobName + ":" + ops[sc.JobName]}, sc.StaticConfigs[0].Targets,
			"job %s scrapes the service's OPS_ADDR in docker-compose.yml", sc.JobName)
	}
	slices.Sort(jobs)
	want := slices.Clone(askproServices)
	slices.Sort(want)
	require.Equal(t, want, jobs)
}
