package rpctest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/rpc"
)

// UpdateSchemasEnv makes CheckOpenRPC write the documents instead of comparing them
// (make generate sets it).
const UpdateSchemasEnv = "ASKPRO_UPDATE_SCHEMAS"

// CheckOpenRPC asks a running service for its OpenRPC document over the bus (rpc.discover)
// and compares it with the committed file at path, so proto-schemas/ never drifts from the
// code. With ASKPRO_UPDATE_SCHEMAS=1 it writes the file instead.
func CheckOpenRPC(t testing.TB, c *rpc.Client, service, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var doc map[string]any
	if err := c.Call(ctx, service, rpc.MethodDiscover, nil, &doc); err != nil {
		t.Fatalf("rpctest: %s rpc.discover: %v", service, err)
	}
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatalf("rpctest: encode document: %v", err)
	}
	got = append(got, '\n')
	if os.Getenv(UpdateSchemasEnv) == "1" {
		if err := os.WriteFile(path, got, 0o644); err != nil { //nolint:gosec // a public schema
			t.Fatalf("rpctest: write %s: %v", path, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("rpctest: %v; run `make generate` to create %s", err, filepath.Base(path))
	}
	var a, b any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil || !equalJSON(a, b) {
		t.Fatalf("rpctest: %s is stale: the %s service's methods changed; run `make generate` and commit the result", path, service)
	}
}

func equalJSON(a, b any) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(x) == string(y)
}
