// Package migrations embeds the SQL migrations of the AskProAI schema, so that the database
// service, the admin CLI and the test harness apply exactly the same files.
package migrations

import "embed"

// FS holds every numbered migration (goose format) in this folder.
//
//go:embed *.sql
var FS embed.FS
