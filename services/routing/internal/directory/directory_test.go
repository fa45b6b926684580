package directory_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/services/routing/internal/directory"
	"github.com/askproai/backend/services/routing/internal/routing"
)

func TestHours(t *testing.T) {
	tests := []struct {
		name string
		in   database.OpeningHours
		want routing.OpeningHours
	}{
		{name: "split day", in: database.OpeningHours{"mon": {{From: "09:00", To: "12:30"}, {From: "14:00", To: "18:00"}}},
			want: routing.OpeningHours{time.Monday: {{From: 540, To: 750}, {From: 840, To: 1080}}}},
		{name: "until midnight and upper-case key", in: database.OpeningHours{"SAT": {{From: "18:00", To: "24:00"}}},
			want: routing.OpeningHours{time.Saturday: {{From: 1080, To: 1440}}}},
		{name: "malformed skipped", in: database.OpeningHours{"sun": {{From: "9", To: "18:00"}, {From: "18:00", To: "09:00"}},
			"xyz": {{From: "09:00", To: "10:00"}}, "tue": {{From: "09:00", To: "25:00"}}},
			want: routing.OpeningHours{}},
		{name: "none", in: nil, want: routing.OpeningHours{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, directory.Hours(tc.in))
		})
	}
}
