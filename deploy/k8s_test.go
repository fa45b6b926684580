package deploy_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

var workers = []string{"routing", "call", "booking", "database", "calcom"}

func build(t *testing.T, dir string) []map[string]any {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), dir)
	require.NoError(t, err, "kustomize build %s", dir)
	return objects(t, rm)
}

func objects(t *testing.T, rm resmap.ResMap) []map[string]any {
	t.Helper()
	out, err := rm.AsYaml()
	require.NoError(t, err)
	var objs []map[string]any
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var m map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &m))
		if m != nil {
			objs = append(objs, m)
		}
	}
	return objs
}

// get walks a path of map keys and slice indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func byKind(objs []map[string]any, kind string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, o := range objs {
		if o["kind"] == kind {
			out[get(o, "metadata", "name").(string)] = o
		}
	}
	return out
}

func TestEveryOverlayBuilds(t *testing.T) {
	for _, dir := range []string{"k8s/base", "k8s/overlays/dev", "k8s/overlays/production", "k8s/overlays/no-keda"} {
		t.Run(dir, func(t *testing.T) {
			objs := build(t, dir)
			require.NotEmpty(t, objs)
			for _, o := range objs {
				require.NotEmpty(t, o["apiVersion"])
				require.NotEmpty(t, o["kind"])
				if o["kind"] == "Namespace" {
					continue // cluster-scoped
				}
				require.Equal(t, "askpro", get(o, "metadata", "namespace"), "%s/%s", o["kind"], get(o, "metadata", "name"))
			}
		})
	}
}

func TestDeploymentsAreOperable(t *testing.T) {
	for _, dir := range []string{"k8s/overlays/dev", "k8s/overlays/production"} {
		objs := build(t, dir)
		deps := byKind(objs, "Deployment")
		for _, name := range append([]string{"gateway"}, workers...) {
			d, ok := deps["askpro-"+name]
			require.True(t, ok, "%s: deployment askpro-%s", dir, name)
			checkDeployment(t, dir, name, d)
		}
	}
}

func checkDeployment(t *testing.T, dir, name string, d map[string]any) {
	t.Helper()
	spec := get(d, "spec", "template", "spec")
	c := get(spec, "containers", 0)
	where := fmt.Sprintf("%s %s", dir, name)
	require.Equal(t, "/health", get(c, "livenessProbe", "httpGet", "path"), where)
	require.Equal(t, "/ready", get(c, "readinessProbe", "httpGet", "path"), where)
	require.NotNil(t, get(c, "resources", "requests", "cpu"), where)
	require.NotNil(t, get(c, "resources", "limits", "memory"), where)
	require.Equal(t, true, get(spec, "securityContext", "runAsNonRoot"), where)

	env := map[string]any{}
	for _, e := range get(c, "env").([]any) {
		env[get(e, "name").(string)] = e
	}
	require.Equal(t, "metadata.name", get(env["POD_NAME"], "valueFrom", "fieldRef", "fieldPath"), where+": POD_NAME is the consumer name")
	drain, err := time.ParseDuration(get(env["DRAIN_TIMEOUT"], "value").(string))
	require.NoError(t, err)
	grace := time.Duration(get(spec, "terminationGracePeriodSeconds").(float64)) * time.Second
	require.Greater(t, grace, drain, where+": the grace period must cover the drain")
}

func TestScalingAndDisruption(t *testing.T) {
	objs := build(t, "k8s/overlays/production")
	scaled, pdbs, hpas := byKind(objs, "ScaledObject"), byKind(objs, "PodDisruptionBudget"), byKind(objs, "HorizontalPodAutoscaler")
	require.Contains(t, hpas, "askpro-gateway")
	for _, name := range workers {
		so, ok := scaled["askpro-"+name]
		require.True(t, ok, "ScaledObject for %s", name)
		require.EqualValues(t, 5, get(so, "spec", "minReplicaCount"))
		require.EqualValues(t, 50, get(so, "spec", "maxReplicaCount"))
		triggers := get(so, "spec", "triggers").([]any)
		require.Len(t, triggers, 3, "one trigger per lane")
		for _, tr := range triggers {
			require.Equal(t, "redis-streams", get(tr, "type"))
			require.Equal(t, name, get(tr, "metadata", "consumerGroup"))
			require.NotEmpty(t, get(tr, "metadata", "lagCount"), "lag-based scaling")
			require.True(t, strings.HasPrefix(get(tr, "metadata", "stream").(string), "askpro:rpc:"+name+":"))
		}
		require.NotContains(t, hpas, "askpro-"+name, "KEDA owns the HPA of a queue worker")
	}
	for _, name := range append([]string{"gateway"}, workers...) {
		require.Contains(t, pdbs, "askpro-"+name)
	}
	require.NotEmpty(t, byKind(objs, "NetworkPolicy"))
}

func TestNoKedaOverlayFallsBackToHPA(t *testing.T) {
	objs := build(t, "k8s/overlays/no-keda")
	require.Empty(t, byKind(objs, "ScaledObject"))
	require.Empty(t, byKind(objs, "TriggerAuthentication"))
	hpas := byKind(objs, "HorizontalPodAutoscaler")
	for _, name := range append([]string{"gateway"}, workers...) {
		require.Contains(t, hpas, "askpro-"+name)
	}
}

// Booking refuses to start without SMS_PROVIDER; production must choose the real provider, whose
// URL and token come from the Secret, and only the dev overlay may write confirmations to the log.
func TestSMSProviderIsChosenPerOverlay(t *testing.T) {
	for dir, want := range map[string]string{
		"k8s/overlays/production": "http", "k8s/overlays/no-keda": "http", "k8s/overlays/dev": "log",
	} {
		objs := build(t, dir)
		cm, ok := byKind(objs, "ConfigMap")["askpro-config"]
		require.True(t, ok, dir)
		require.Equal(t, want, get(cm, "data", "SMS_PROVIDER"), dir)
		require.Nil(t, get(cm, "data", "SMS_HTTP_TOKEN"), dir+": the token belongs in the Secret")

		booking := byKind(objs, "Deployment")["askpro-booking"]
		var from []string
		for _, e := range get(booking, "spec", "template", "spec", "containers", 0, "envFrom").([]any) {
			if n, ok := get(e, "configMapRef", "name").(string); ok {
				from = append(from, "configmap/"+n)
			}
			if n, ok := get(e, "secretRef", "name").(string); ok {
				from = append(from, "secret/"+n)
			}
		}
		require.ElementsMatch(t, []string{"configmap/askpro-config", "secret/askpro-secrets"}, from, dir)
		for _, e := range get(booking, "spec", "template", "spec", "containers", 0, "env").([]any) {
			require.NotEqual(t, "SMS_PROVIDER", get(e, "name"), dir+": set in askpro-config only")
		}
	}
}

// The maintenance CronJobs (issue 19): one per `askpro maintenance` job, on its schedule, never
// overlapping, limited, from the database image with the services' config and Secret.
func TestMaintenanceCronJobs(t *testing.T) {
	want := map[string]string{
		"vacuum": "30 3 * * 0", "reindex": "30 4 1 * *", "rotate": "15 2 * * *",
		"deadletters": "5 * * * *", "health": "0 7 * * *", "queues": "0 8 * * 1",
	}
	cmds, _ := askproCommands(t)
	for _, dir := range []string{"k8s/base", "k8s/overlays/production"} {
		jobs := byKind(build(t, dir), "CronJob")
		require.Len(t, jobs, len(want), dir)
		for job, schedule := range want {
			cj, ok := jobs["askpro-maintenance-"+job]
			require.True(t, ok, "%s: CronJob askpro-maintenance-%s", dir, job)
			where := dir + " " + job
			require.Equal(t, schedule, get(cj, "spec", "schedule"), where)
			require.Equal(t, "Forbid", get(cj, "spec", "concurrencyPolicy"), where)
			require.Contains(t, cmds["maintenance"], job, where+": askpro has the job")
			pod := get(cj, "spec", "jobTemplate", "spec", "template", "spec")
			require.Equal(t, "Never", get(pod, "restartPolicy"), where)
			require.Equal(t, true, get(pod, "securityContext", "runAsNonRoot"), where)
			c := get(pod, "containers", 0)
			require.Equal(t, []any{"/usr/local/bin/askpro"}, get(c, "command"), where)
			require.Equal(t, "maintenance", get(c, "args", 0), where)
			require.Equal(t, job, get(c, "args", 1), where)
			require.NotNil(t, get(c, "resources", "requests", "cpu"), where)
			require.NotNil(t, get(c, "resources", "limits", "memory"), where)
			require.Equal(t, "askpro-secrets", get(c, "envFrom", 1, "secretRef", "name"), where)
			for _, e := range get(c, "env").([]any) {
				require.Nil(t, get(e, "valueFrom", "secretKeyRef"), where)
				require.NotContains(t, []string{"DATABASE_URL", "REDIS_URL", "PII_KEYS"}, get(e, "name"), where+": no secret inline")
			}
			image := get(c, "image").(string)
			if dir == "k8s/overlays/production" {
				require.Equal(t, "askpro/database:1.0.0", image, where+": pinned with the database service")
			} else {
				require.Equal(t, "askpro/database:latest", image, where)
			}
		}
	}
}
