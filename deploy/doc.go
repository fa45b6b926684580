// Package deploy holds no code of its own: it is the Go module whose tests check the
// deployment artefacts beside it (Kubernetes manifests, Prometheus rules, Grafana dashboards)
// so that `make test` catches a broken manifest or an alert on a metric nobody exports.
package deploy
