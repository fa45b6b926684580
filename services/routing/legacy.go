package main

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	api "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/rpc"
)

// dropLegacyGroups removes the per-instance consumer groups ("routing:<pod>") that earlier
// versions made on the branch.changed stream. Routing now reads that stream without a group
// (rpc.SubscribeAll), so every such group is left over from a deploy: it only grows lag. Other
// services' groups on the stream are left alone. It returns how many it removed.
func dropLegacyGroups(ctx context.Context, rdb *redis.Client, namespace string, log zerolog.Logger) int {
	stream := rpc.EventStream(namespace, api.TopicBranchChanged)
	groups, err := rdb.XInfoGroups(ctx, stream).Result()
	if err != nil {
		if !errors.Is(err, redis.Nil) && !strings.Contains(err.Error(), "no such key") {
			log.Warn().Err(err).Str("stream", stream).Msg("legacy_groups_not_listed")
		}
		return 0
	}
	dropped := 0
	for _, g := range groups {
		if !strings.HasPrefix(g.Name, api.Service+":") {
			continue
		}
		if err := rdb.XGroupDestroy(ctx, stream, g.Name).Err(); err != nil {
			log.Warn().Err(err).Str("group", g.Name).Msg("legacy_group_not_dropped")
			continue
		}
		dropped++
	}
	if dropped > 0 {
		log.Info().Int("groups", dropped).Str("stream", stream).Msg("legacy_groups_dropped")
	}
	return dropped
}
