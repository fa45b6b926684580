package deploy_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// The checks promtool and amtool cannot make (scripts/test-alerts.sh runs those): every alert
// is labelled, linked to its runbook section and unit-tested both ways; every kind of alert has a
// routes case; the runbook's commands, dashboard panels and queries exist.

// runbookBase is where every rule's runbook_url points, followed by the section's anchor.
const runbookBase = "https://github.com/askproai/backend/blob/main/docs/runbooks.md#"

const runbooksPath = "../docs/runbooks.md"

// rpcServices are the services with the per-service RPC dashboard panels; `<service>` in the
// runbook stands for any of them.
var rpcServices = []string{"routing", "call", "booking", "database", "calcom"}

func alertingRules(t *testing.T) []rulefmt.Rule {
	t.Helper()
	files, err := filepath.Glob("prometheus/rules/*.yml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []rulefmt.Rule
	for _, f := range files {
		groups, errs := rulefmt.ParseFile(f, false, model.UTF8Validation)
		require.Empty(t, errs, "%s", f)
		for _, g := range groups.Groups {
			out = append(out, g.Rules...)
		}
	}
	return out
}

// githubAnchor is the anchor GitHub gives a Markdown heading: lower case, spaces to hyphens,
// punctuation other than hyphens and underscores dropped.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func runbookAnchors(t *testing.T, doc string) map[string]bool {
	t.Helper()
	anchors := map[string]bool{}
	inFence := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(line, "#") {
			a := githubAnchor(strings.TrimLeft(line, "#"))
			require.False(t, anchors[a], "two headings with the anchor #%s", a)
			anchors[a] = true
		}
	}
	return anchors
}

func readRunbooks(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(runbooksPath)
	require.NoError(t, err)
	return string(raw)
}

func TestAlertsCarrySeveritySummaryAndRunbook(t *testing.T) {
	anchors := runbookAnchors(t, readRunbooks(t))
	rules := alertingRules(t)
	require.GreaterOrEqual(t, len(rules), 13)
	for _, r := range rules {
		require.NotEmpty(t, r.Alert, "only alerting rules")
		require.Contains(t, []string{"P1", "P2", "P3"}, r.Labels["severity"], "%s: severity", r.Alert)
		if c, ok := r.Labels["critical"]; ok {
			require.Equal(t, "true", c, "%s: critical is \"true\" or absent", r.Alert)
		}
		require.NotEmpty(t, strings.TrimSpace(r.Annotations["summary"]), "%s: summary", r.Alert)
		require.NotEmpty(t, strings.TrimSpace(r.Annotations["description"]), "%s: description", r.Alert)
		url := r.Annotations["runbook_url"]
		require.Equal(t, runbookBase+strings.ToLower(r.Alert), url, "%s: runbook_url is its own section", r.Alert)
		anchor := strings.TrimPrefix(url, runbookBase)
		require.True(t, anchors[anchor], "%s: docs/runbooks.md has no section #%s", r.Alert, anchor)
	}
	for _, a := range []string{"p1-complete-outage", "p2-degraded-performance", "p3-integration-issues"} {
		require.True(t, anchors[a], "docs/runbooks.md has no section #%s", a)
	}
}

type promtoolTests struct {
	RuleFiles []string `json:"rule_files"`
	Tests     []struct {
		Name           string `json:"name"`
		AlertRuleTests []struct {
			EvalTime  string `json:"eval_time"`
			Alertname string `json:"alertname"`
			ExpAlerts []struct {
				ExpLabels      map[string]string `json:"exp_labels"`
				ExpAnnotations map[string]string `json:"exp_annotations"`
			} `json:"exp_alerts"`
		} `json:"alert_rule_test"`
	} `json:"tests"`
}

// promtool checks that each case holds; this checks that the cases exist: for every alert one
// that fires it, with its labels and annotations, and one that must stay quiet.
func TestEveryAlertHasUnitTestsThatFireAndThatDoNot(t *testing.T) {
	files, err := filepath.Glob("prometheus/tests/*.yml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	rules := map[string]rulefmt.Rule{}
	for _, r := range alertingRules(t) {
		rules[r.Alert] = r
	}
	fires, quiet := map[string]int{}, map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var pt promtoolTests
		require.NoError(t, yaml.Unmarshal(raw, &pt), f)
		require.NotEmpty(t, pt.RuleFiles, f)
		for _, rf := range pt.RuleFiles {
			_, err := os.Stat(filepath.Join(filepath.Dir(f), rf))
			require.NoError(t, err, "%s: rule file %s", f, rf)
		}
		for _, tc := range pt.Tests {
			for _, at := range tc.AlertRuleTests {
				r, ok := rules[at.Alertname]
				require.True(t, ok, "%s (%s): no alert %s", f, tc.Name, at.Alertname)
				if len(at.ExpAlerts) == 0 {
					quiet[at.Alertname]++
					continue
				}
				fires[at.Alertname]++
				for _, a := range at.ExpAlerts {
					require.Equal(t, r.Labels["severity"], a.ExpLabels["severity"], "%s: %s", f, tc.Name)
					require.NotEmpty(t, a.ExpLabels["service"], "%s: %s fires without a service label (inhibition needs it)", f, at.Alertname)
					require.Equal(t, r.Annotations["runbook_url"], a.ExpAnnotations["runbook_url"], "%s: %s", f, tc.Name)
					require.NotEmpty(t, a.ExpAnnotations["summary"], "%s: %s", f, tc.Name)
				}
			}
		}
	}
	for name := range rules {
		require.Positive(t, fires[name], "%s: no promtool test in which it fires", name)
		require.Positive(t, quiet[name], "%s: no promtool test in which it must not fire", name)
	}
}

type routeCase struct {
	receivers []string
	labels    map[string]string
}

func routeCases(t *testing.T) []routeCase {
	t.Helper()
	f, err := os.Open("alertmanager/routes-test.txt")
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	var out []routeCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		require.GreaterOrEqual(t, len(fields), 2, "routes-test.txt: %q", sc.Text())
		c := routeCase{receivers: strings.Split(fields[0], ","), labels: map[string]string{}}
		for _, kv := range fields[1:] {
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, "routes-test.txt: label %q", kv)
			c.labels[k] = v
		}
		out = append(out, c)
	}
	require.NoError(t, sc.Err())
	return out
}

// What the spec asks: P1 pages (PagerDuty), P2 goes to Slack, P3 and every critical alert to
// email. amtool proves the configuration routes each case as routes-test.txt says; this proves
// that routes-test.txt says what the spec asks, for every kind of alert the rules have.
func TestEveryKindOfAlertHasARoutesCase(t *testing.T) {
	cases := routeCases(t)
	want := map[string]string{"P1": "pagerduty-oncall", "P2": "slack-alerts", "P3": "email-ops"}
	for _, c := range cases {
		sev, ok := c.labels["severity"]
		if !ok {
			continue
		}
		require.Contains(t, c.receivers, want[sev], "routes-test.txt: %v", c.labels)
		if c.labels["critical"] == "true" {
			require.Contains(t, c.receivers, "email-ops", "routes-test.txt: a critical alert is mailed: %v", c.labels)
		}
		for _, r := range c.receivers {
			require.True(t, r == want[sev] || (r == "email-ops" && c.labels["critical"] == "true"),
				"routes-test.txt: %v reaches %s too", c.labels, r)
		}
	}
	for _, r := range alertingRules(t) {
		sev, crit := r.Labels["severity"], r.Labels["critical"]
		found := slices.ContainsFunc(cases, func(c routeCase) bool {
			return c.labels["severity"] == sev && c.labels["critical"] == crit
		})
		require.True(t, found, "%s: no routes-test.txt case for severity=%s critical=%q", r.Alert, sev, crit)
	}
}

// The receivers use the real Alertmanager fields and read every secret from a file.
func TestAlertmanagerReadsSecretsFromFiles(t *testing.T) {
	raw, err := os.ReadFile("alertmanager/alertmanager.yml")
	require.NoError(t, err)
	var cfg struct {
		Receivers []struct {
			Name      string           `json:"name"`
			PagerDuty []map[string]any `json:"pagerduty_configs"`
			Slack     []map[string]any `json:"slack_configs"`
			Email     []map[string]any `json:"email_configs"`
		} `json:"receivers"`
		InhibitRules []struct {
			SourceMatchers []string `json:"source_matchers"`
			TargetMatchers []string `json:"target_matchers"`
			Equal          []string `json:"equal"`
		} `json:"inhibit_rules"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &cfg))
	for _, secret := range []string{"routing_key:", "service_key:", "api_url:", "auth_password:", "auth_secret:"} {
		require.NotContains(t, string(raw), secret, "secrets come from files")
	}
	byName := map[string]int{}
	for i, r := range cfg.Receivers {
		byName[r.Name] = i
	}
	require.Contains(t, byName, "pagerduty-oncall")
	require.Contains(t, byName, "slack-alerts")
	require.Contains(t, byName, "email-ops")
	pd := cfg.Receivers[byName["pagerduty-oncall"]].PagerDuty
	require.NotEmpty(t, pd)
	for _, c := range pd {
		require.NotEmpty(t, c["routing_key_file"])
	}
	slack := cfg.Receivers[byName["slack-alerts"]].Slack
	require.NotEmpty(t, slack)
	for _, c := range slack {
		require.NotEmpty(t, c["api_url_file"])
		require.NotEmpty(t, c["channel"])
	}
	email := cfg.Receivers[byName["email-ops"]].Email
	require.NotEmpty(t, email)
	for _, c := range email {
		require.NotEmpty(t, c["smarthost"])
		require.NotEmpty(t, c["auth_password_file"])
		require.NotEmpty(t, c["to"])
	}
	p1InhibitsP2 := slices.ContainsFunc(cfg.InhibitRules, func(r struct {
		SourceMatchers []string `json:"source_matchers"`
		TargetMatchers []string `json:"target_matchers"`
		Equal          []string `json:"equal"`
	}) bool {
		return slices.Equal(r.SourceMatchers, []string{`severity="P1"`}) &&
			slices.Equal(r.TargetMatchers, []string{`severity="P2"`}) && slices.Equal(r.Equal, []string{"service"})
	})
	require.True(t, p1InhibitsP2, "a P1 of a service holds back its P2s")
}

// askproCommands reads the CLI's usage text: command → its subcommands (none for migrate,
// simulate-call), and every flag name its subcommands define.
func askproCommands(t *testing.T) (map[string][]string, map[string]bool) {
	t.Helper()
	dir := "../services/database/cmd/askpro"
	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	require.NoError(t, err)
	usage := regexp.MustCompile("(?s)const usage = `(.*?)`").FindSubmatch(src)
	require.NotNil(t, usage, "askpro's usage text")
	cmds := map[string][]string{}
	line := regexp.MustCompile(`(?m)^\s+askpro ([a-z-]+)(?: ([a-z|]+))?`)
	for _, m := range line.FindAllStringSubmatch(string(usage[1]), -1) {
		cmds[m[1]] = append(cmds[m[1]], strings.Split(m[2], "|")...)
	}
	require.Contains(t, cmds, "dlq")
	cmds["help"] = nil // main.go answers help before the table
	flags := map[string]bool{}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	def := regexp.MustCompile(`fs\.[A-Za-z0-9]+\([^"\n]*"([a-z][a-z-]*)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range def.FindAllStringSubmatch(string(src), -1) {
			flags[m[1]] = true
		}
	}
	require.True(t, flags["service"], "askpro's flags")
	return cmds, flags
}

// dashboardPanels is every dashboard's title → its panel titles.
func dashboardPanels(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("grafana/dashboards/*.json")
	require.NoError(t, err)
	out := map[string][]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var d dashboard
		require.NoError(t, json.Unmarshal(raw, &d), f)
		for _, p := range d.Panels {
			out[d.Title] = append(out[d.Title], p.Title)
		}
	}
	return out
}

// The runbook's steps are things one can do: askpro commands and flags that exist, kubectl on
// the deployments that exist, dashboard panels that exist, PromQL that parses and uses exported
// metrics; and every step has one of them.
func TestRunbookStepsAreRealCommandsPanelsAndQueries(t *testing.T) {
	doc := readRunbooks(t)
	anchors := runbookAnchors(t, doc)

	for _, m := range regexp.MustCompile(`\]\(#([^)]+)\)`).FindAllStringSubmatch(doc, -1) {
		require.True(t, anchors[m[1]], "link to a missing section #%s", m[1])
	}

	cmds, flags := askproCommands(t)
	askpro := regexp.MustCompile("`askpro ([^`]+)`")
	uses := askpro.FindAllStringSubmatch(doc, -1)
	require.NotEmpty(t, uses)
	for _, m := range uses {
		words := strings.Fields(m[1])
		subs, ok := cmds[words[0]]
		require.True(t, ok, "askpro %s: no such command", m[1])
		if len(subs) > 0 && subs[0] != "" { // "askpro migrate" has none
			require.GreaterOrEqual(t, len(words), 2, "askpro %s: which subcommand", m[1])
			require.Contains(t, subs, words[1], "askpro %s: no such subcommand", m[1])
		}
		for _, w := range words {
			if name, ok := strings.CutPrefix(w, "--"); ok {
				require.True(t, flags[name], "askpro %s: no flag --%s", m[1], name)
			}
		}
	}

	kubectl := regexp.MustCompile("`kubectl ([^`]+)`")
	target := regexp.MustCompile(`(?:deployment/askpro-|scaledobject askpro-|hpa askpro-|rollout askpro-|(?:abort|promote|undo|status|restart) askpro-|app\.kubernetes\.io/name=)([a-z<>]+)`)
	for _, m := range kubectl.FindAllStringSubmatch(doc, -1) {
		require.Contains(t, m[1], "-n askpro ", "kubectl %s: the services' namespace", m[1])
		for _, tm := range target.FindAllStringSubmatch(m[1], -1) {
			if tm[1] == "<service>" {
				continue
			}
			require.Contains(t, askproServices, tm[1], "kubectl %s", m[1])
			manifest, err := os.ReadFile(filepath.Join("k8s/base", tm[1]+".yaml"))
			require.NoError(t, err)
			require.Contains(t, string(manifest), "name: askpro-"+tm[1], "kubectl %s", m[1])
		}
	}

	panels := dashboardPanels(t)
	ref := regexp.MustCompile(`Dashboard \*\*([^*]+)\*\*, panel \*\*([^*]+)\*\*`)
	refs := ref.FindAllStringSubmatch(doc, -1)
	require.GreaterOrEqual(t, len(refs), 20)
	for _, m := range refs {
		titles := []string{m[1]}
		if strings.Contains(m[1], "<service>") {
			titles = nil
			for _, s := range rpcServices {
				titles = append(titles, strings.ReplaceAll(m[1], "<service>", s))
			}
		}
		for _, title := range titles {
			p, ok := panels[title]
			require.True(t, ok, "no dashboard %q", title)
			require.Contains(t, p, m[2], "dashboard %q has no panel %q", title, m[2])
		}
	}

	exported := exportedMetrics(t)
	queries := regexp.MustCompile("(?s)```promql\n(.*?)```").FindAllStringSubmatch(doc, -1)
	require.NotEmpty(t, queries)
	for _, q := range queries {
		requireExported(t, exported, "docs/runbooks.md", strings.TrimSpace(q[1]))
	}

	// Every numbered step (with its indented continuation lines) names something to do.
	item := regexp.MustCompile(`^\d+\. `)
	var steps []string
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case item.MatchString(line):
			steps = append(steps, line)
		case len(steps) > 0 && strings.HasPrefix(line, " ") && strings.TrimSpace(line) != "":
			steps[len(steps)-1] += "\n" + line
		}
	}
	require.GreaterOrEqual(t, len(steps), 60)
	for _, s := range steps {
		ok := strings.Contains(s, "`askpro ") || strings.Contains(s, "`kubectl ") || strings.Contains(s, "`curl ") ||
			ref.MatchString(s) || strings.Contains(s, "```promql")
		require.True(t, ok, "a runbook step without a command, query or dashboard panel:\n%s", s)
	}
}
