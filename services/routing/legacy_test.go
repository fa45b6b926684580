package main

import (
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/testenv"
)

// The per-instance groups of earlier versions are dropped at start; other services' groups
// on the stream stay, and a missing stream is no error.
func TestLegacyInstanceGroupsAreDropped(t *testing.T) {
	env := testenv.Redis(t)
	ctx := t.Context()
	ns := env.Prefix + "askpro"
	require.Zero(t, dropLegacyGroups(ctx, env.Client, ns, zerolog.Nop()), "no stream yet")

	stream := rpc.EventStream(ns, api.TopicBranchChanged)
	for _, g := range []string{"routing:routing-7d9f-abcde", "routing:routing-7d9f-fghij", "database"} {
		require.NoError(t, env.Client.XGroupCreateMkStream(ctx, stream, g, "$").Err())
	}
	require.Equal(t, 2, dropLegacyGroups(ctx, env.Client, ns, zerolog.Nop()))
	groups, err := env.Client.XInfoGroups(ctx, stream).Result()
	require.NoError(t, err)
	require.Len(t, groups, 1)
	require.Equal(t, "database", groups[0].Name)
	require.Zero(t, dropLegacyGroups(ctx, env.Client, ns, zerolog.Nop()))
}
