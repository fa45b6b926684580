package deploy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// The Argo Rollouts release whose CRDs the manifests are checked against, and its go.sum hash:
// the CRDs are read from the module (manifests/crds) as `go mod download` fetches it, so they
// are the real schemas of that release, checked against the checksum database on download.
const (
	argoRolloutsModule  = "github.com/argoproj/argo-rollouts"
	argoRolloutsVersion = "v1.10.1"
	argoRolloutsSum     = "h1:6oyVPGiHHxu3ixkT6mngemh88HLPDoTX1IwO6KNR1Y4="
)

var overlays = []string{"k8s/base", "k8s/overlays/dev", "k8s/overlays/production", "k8s/overlays/no-keda"}

// argoRolloutsDir downloads the pinned module (or finds it in the module cache) and returns its
// directory. Without the Go proxy and an empty cache the test skips, unless CI is set.
var argoRolloutsDir = sync.OnceValues(func() (string, error) {
	tmp, err := os.MkdirTemp("", "argo-rollouts-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", "mod", "download", "-json", argoRolloutsModule+"@"+argoRolloutsVersion)
	cmd.Dir = tmp // outside any module: nothing here changes go.mod or go.sum
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Sum, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w: %s", argoRolloutsModule, argoRolloutsVersion, runErr, stderr.String())
	}
	if info.Error != "" || runErr != nil {
		return "", fmt.Errorf("go mod download %s@%s: %s %w", argoRolloutsModule, argoRolloutsVersion, info.Error, runErr)
	}
	if info.Sum != argoRolloutsSum {
		return "", fmt.Errorf("%s@%s has sum %s, want %s", argoRolloutsModule, argoRolloutsVersion, info.Sum, argoRolloutsSum)
	}
	return info.Dir, nil
})

// crdSchemas compiles the v1alpha1 openAPIV3Schema of the Rollout and AnalysisTemplate CRDs.
func crdSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	dir, err := argoRolloutsDir()
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("the Argo Rollouts CRDs are not available (set CI to make this a failure): %v", err)
		}
		require.NoError(t, err)
	}
	out := map[string]*jsonschema.Schema{}
	for kind, file := range map[string]string{"Rollout": "rollout-crd.yaml", "AnalysisTemplate": "analysis-template-crd.yaml"} {
		raw, err := os.ReadFile(filepath.Join(dir, "manifests", "crds", file))
		require.NoError(t, err)
		var crd map[string]any
		require.NoError(t, yaml.Unmarshal(raw, &crd), file)
		require.Equal(t, kind, get(crd, "spec", "names", "kind"), file)
		var schema any
		for _, v := range get(crd, "spec", "versions").([]any) {
			if get(v, "name") == "v1alpha1" {
				schema = get(v, "schema", "openAPIV3Schema")
			}
		}
		require.NotNil(t, schema, "%s: no v1alpha1 schema", file)
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft4) // OpenAPI 3.0 schemas are draft 4 with extensions
		url := "file:///" + file + ".json"
		require.NoError(t, c.AddResource(url, strictSchema(schema)))
		out[kind], err = c.Compile(url)
		require.NoError(t, err, file)
	}
	return out
}

// strictSchema turns a CRD's structural schema into plain JSON Schema: the x-kubernetes-*
// extensions go, and an object with listed properties rejects others, as the API server does
// with field validation Strict (kubectl's default) and unlike a plain JSON Schema, which would
// let a misspelt field through. x-kubernetes-preserve-unknown-fields keeps an object open;
// int-or-string fields are already anyOf integer/string in controller-gen's output.
func strictSchema(v any) any {
	switch n := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range n {
			if strings.HasPrefix(k, "x-kubernetes-") {
				continue
			}
			if k == "properties" {
				props := map[string]any{}
				for name, p := range val.(map[string]any) {
					props[name] = strictSchema(p) // property names are not keywords
				}
				out[k] = props
				continue
			}
			out[k] = strictSchema(val)
		}
		_, open := n["x-kubernetes-preserve-unknown-fields"]
		if _, ok := n["properties"]; ok && !open && n["additionalProperties"] == nil {
			out["additionalProperties"] = false
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, e := range n {
			out[i] = strictSchema(e)
		}
		return out
	}
	return v
}

// jsonValue round-trips a manifest through JSON into the values the validator takes.
func jsonValue(t *testing.T, obj map[string]any) any {
	t.Helper()
	raw, err := json.Marshal(obj)
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	return v
}

func TestRolloutsAndAnalysisTemplatesMatchTheArgoCRDs(t *testing.T) {
	schemas := crdSchemas(t)
	for _, dir := range overlays {
		objs := build(t, dir)
		n := 0
		for _, o := range objs {
			s, ok := schemas[o["kind"].(string)]
			if !ok {
				continue
			}
			n++
			require.Equal(t, "argoproj.io/v1alpha1", o["apiVersion"])
			err := s.Validate(jsonValue(t, o))
			require.NoError(t, err, "%s: %s/%s does not match the CRD of Argo Rollouts %s", dir, o["kind"], get(o, "metadata", "name"), argoRolloutsVersion)
		}
		require.Equal(t, len(askproServices)+3, n, "%s: a Rollout per service and three AnalysisTemplates", dir)
	}
}

// The schema check is only worth something if it rejects what the API server rejects.
func TestBrokenRolloutManifestsFailTheCRDCheck(t *testing.T) {
	schemas := crdSchemas(t)
	objs := build(t, "k8s/base")
	for _, tc := range []struct {
		name, kind string
		object     string
		breakIt    func(o map[string]any)
	}{
		{"a weight as a percentage string", "Rollout", "askpro-booking", func(o map[string]any) {
			get(o, "spec", "strategy", "canary", "steps", 0).(map[string]any)["setWeight"] = "10%"
		}},
		{"a misspelt field", "Rollout", "askpro-booking", func(o map[string]any) {
			get(o, "spec", "strategy", "canary").(map[string]any)["scaleDownDelaySecond"] = 30
		}},
		{"an analysis argument without a name", "Rollout", "askpro-gateway", func(o map[string]any) {
			delete(get(o, "spec", "strategy", "canary", "steps", 2, "analysis", "args", 0).(map[string]any), "name")
		}},
		{"replicas as a string", "Rollout", "askpro-call", func(o map[string]any) {
			o["spec"].(map[string]any)["replicas"] = "5"
		}},
		{"a metric without a provider", "AnalysisTemplate", "askpro-rpc", func(o map[string]any) {
			delete(get(o, "spec", "metrics", 0).(map[string]any), "provider")
		}},
		{"an interval in seconds as a number", "AnalysisTemplate", "askpro-health", func(o map[string]any) {
			get(o, "spec", "metrics", 0).(map[string]any)["interval"] = 60
		}},
		{"a query under the wrong key", "AnalysisTemplate", "askpro-http", func(o map[string]any) {
			p := get(o, "spec", "metrics", 0, "provider", "prometheus").(map[string]any)
			p["expr"] = p["query"]
			delete(p, "query")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, ok := byKind(objs, tc.kind)[tc.object]
			require.True(t, ok, "%s %s", tc.kind, tc.object)
			require.NoError(t, schemas[tc.kind].Validate(jsonValue(t, o)), "unbroken it passes")
			var broken map[string]any
			raw, err := json.Marshal(o)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &broken))
			tc.breakIt(broken)
			require.Error(t, schemas[tc.kind].Validate(jsonValue(t, broken)))
		})
	}
}

// Every service is delivered by a canary Rollout that takes its pods from the Deployment, is
// analysed at 10 % and 50 % with the templates that exist and the arguments they declare, and
// is what the autoscalers scale.
func TestEveryServiceRollsOutAsAnAnalysedCanary(t *testing.T) {
	for _, dir := range overlays {
		objs := build(t, dir)
		rollouts, deps, templates := byKind(objs, "Rollout"), byKind(objs, "Deployment"), byKind(objs, "AnalysisTemplate")
		for _, name := range askproServices {
			where := dir + " " + name
			ro, ok := rollouts["askpro-"+name]
			require.True(t, ok, "%s: Rollout askpro-%s", dir, name)
			dep := deps["askpro-"+name]
			require.NotNil(t, dep, where)
			require.Nil(t, get(dep, "spec", "replicas"), where+": the Rollout owns the replica count")
			require.Equal(t, map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "askpro-" + name, "scaleDown": "progressively"},
				get(ro, "spec", "workloadRef"), where)
			require.Nil(t, get(ro, "spec", "template"), where+": the template is the Deployment's")
			require.Equal(t, get(dep, "spec", "selector"), get(ro, "spec", "selector"), where)
			require.Equal(t, true, get(ro, "spec", "progressDeadlineAbort"), where+": a canary that never becomes ready is aborted")
			require.NotNil(t, get(ro, "spec", "replicas"), where)

			var weights []float64
			analyses := 0
			for _, s := range get(ro, "spec", "strategy", "canary", "steps").([]any) {
				if w, ok := get(s, "setWeight").(float64); ok {
					weights = append(weights, w)
				}
				a := get(s, "analysis")
				if a == nil {
					continue
				}
				analyses++
				require.Equal(t, []float64{10, 50}[:len(weights)], weights, "%s: analysis %d follows weight %v", where, analyses, weights)
				passed := map[string]any{}
				for _, arg := range get(a, "args").([]any) {
					passed[get(arg, "name").(string)] = arg
				}
				require.Equal(t, map[string]any{"name": "service", "value": name}, passed["service"], where)
				require.Equal(t, "Latest", get(passed["canary-hash"], "valueFrom", "podTemplateHashValue"), where+": the canary's own pods")
				var names []string
				for _, ref := range get(a, "templates").([]any) {
					tn := get(ref, "templateName").(string)
					names = append(names, tn)
					tmpl, ok := templates[tn]
					require.True(t, ok, "%s: no AnalysisTemplate %s", where, tn)
					declared := map[string]bool{}
					for _, arg := range get(tmpl, "spec", "args").([]any) {
						declared[get(arg, "name").(string)] = true
						_, given := passed[get(arg, "name").(string)]
						require.True(t, given || get(arg, "value") != nil, "%s: %s needs argument %s", where, tn, get(arg, "name"))
					}
					for arg := range passed {
						require.True(t, declared[arg], "%s: %s does not declare argument %s", where, tn, arg)
					}
				}
				want := []string{"askpro-health", "askpro-rpc"}
				if name == "gateway" {
					want = []string{"askpro-health", "askpro-http"}
				}
				require.Equal(t, want, names, where)
			}
			require.Equal(t, []float64{10, 50}, weights, where)
			require.Equal(t, 2, analyses, where)
		}
		for kind, path := range map[string][]any{"HorizontalPodAutoscaler": {"spec", "scaleTargetRef"}, "ScaledObject": {"spec", "scaleTargetRef"}} {
			for n, o := range byKind(objs, kind) {
				ref := get(o, path...)
				require.Equal(t, "argoproj.io/v1alpha1", get(ref, "apiVersion"), "%s: %s %s scales the Rollout", dir, kind, n)
				require.Equal(t, "Rollout", get(ref, "kind"), "%s: %s %s", dir, kind, n)
				require.Contains(t, rollouts, get(ref, "name"), "%s: %s %s", dir, kind, n)
			}
		}
	}
	dev := byKind(build(t, "k8s/overlays/dev"), "Rollout")
	for _, name := range askproServices {
		require.EqualValues(t, 1, get(dev["askpro-"+name], "spec", "replicas"), "dev runs one replica of %s", name)
	}
}

// The memory analysis divides by the limit it is given: it must be every container's limit.
func TestMemoryAnalysisUsesTheContainerLimit(t *testing.T) {
	for _, dir := range overlays {
		objs := build(t, dir)
		var limit string
		for _, arg := range get(byKind(objs, "AnalysisTemplate")["askpro-health"], "spec", "args").([]any) {
			if get(arg, "name") == "memory-limit-bytes" {
				limit = get(arg, "value").(string)
			}
		}
		for _, name := range askproServices {
			mem := get(byKind(objs, "Deployment")["askpro-"+name], "spec", "template", "spec", "containers", 0, "resources", "limits", "memory").(string)
			require.Equal(t, strconv.FormatInt(binaryBytes(t, mem), 10), limit, "%s: %s's memory limit %s", dir, name, mem)
		}
	}
}

// binaryBytes reads a memory quantity with a binary suffix (512Mi, 1Gi), the only kind used here.
func binaryBytes(t *testing.T, q string) int64 {
	t.Helper()
	for i, suffix := range []string{"Ki", "Mi", "Gi", "Ti"} {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			require.NoError(t, err, q)
			return v << (10 * (i + 1))
		}
	}
	t.Fatalf("memory limit %q: use Ki, Mi, Gi or Ti", q)
	return 0
}

type analysisTests struct {
	RuleFiles []string `json:"rule_files"`
	Tests     []struct {
		Name           string `json:"name"`
		PromQLExprTest []struct {
			Expr       string `json:"expr"`
			EvalTime   string `json:"eval_time"`
			ExpSamples []struct {
				Labels string  `json:"labels"`
				Value  float64 `json:"value"`
			} `json:"exp_samples"`
		} `json:"promql_expr_test"`
	} `json:"tests"`
}

var argRef = regexp.MustCompile(`\\\{\\\{args\\\.[a-z-]+\\\}\\\}`) // an {{args.name}} after regexp.QuoteMeta

// The queries of the AnalysisTemplates are tested against series by promtool
// (deploy/prometheus/tests/analysis.yml). The test file holds each query word for word, with
// the arguments filled in; nothing else is in it, so the two cannot drift apart.
func TestAnalysisQueriesAreThePromtoolTested(t *testing.T) {
	raw, err := os.ReadFile("prometheus/tests/analysis.yml")
	require.NoError(t, err)
	var pt analysisTests
	require.NoError(t, yaml.Unmarshal(raw, &pt))
	var exprs []string
	for _, tc := range pt.Tests {
		for _, e := range tc.PromQLExprTest {
			exprs = append(exprs, strings.TrimSpace(e.Expr))
		}
	}
	require.NotEmpty(t, exprs)

	exported := exportedMetrics(t)
	used := map[string]bool{}
	for name, tmpl := range byKind(build(t, "k8s/base"), "AnalysisTemplate") {
		for _, m := range get(tmpl, "spec", "metrics").([]any) {
			where := name + "/" + get(m, "name").(string)
			query := strings.TrimSpace(get(m, "provider", "prometheus", "query").(string))
			pattern := regexp.MustCompile("^" + argRef.ReplaceAllString(regexp.QuoteMeta(query), `[A-Za-z0-9._-]+`) + "$")
			var tested []string
			for _, e := range exprs {
				if pattern.MatchString(e) {
					tested = append(tested, e)
					used[e] = true
				}
			}
			require.NotEmpty(t, tested, "%s: its query is not in prometheus/tests/analysis.yml:\n%s", where, query)
			for _, e := range tested {
				requireExported(t, exported, where, e)
			}
			require.NotEmpty(t, get(m, "failureCondition"), where+": a failed measurement aborts the rollout")
			require.EqualValues(t, 0, get(m, "failureLimit"), where)
		}
	}
	for _, e := range exprs {
		require.True(t, used[e], "prometheus/tests/analysis.yml tests a query no AnalysisTemplate has:\n%s", e)
	}
	require.True(t, slices.Contains(pt.RuleFiles, "../rules/askpro.yml"), "promtool needs a rule file")
}
