package rpc

import (
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The worked example in proto-schemas/README.md is generated here, so its bytes are what this
// package really writes. If the README and this test disagree, the test prints the block to
// paste.
func TestWireExampleInREADME(t *testing.T) {
	t.Parallel()
	type createParams struct {
		StaffID int       `json:"staff_id"`
		Start   time.Time `json:"start"`
	}
	type createResult struct {
		BookingID string `json:"booking_id"`
	}
	const id = "9c1e5a7b3d2f4e60-1"
	e := getEncoder()
	start := time.Date(2026, 12, 1, 14, 30, 0, 0, time.FixedZone("CET", 3600))
	require.NoError(t, encodeRequest(e, "booking.create", createParams{StaffID: 7, Start: start}, id))
	req := e.finish()
	// The bytes decode back into the same params: a time goes out as the RFC 3339 string the
	// schema promises and is read from it.
	reqs, _, err := parseBody(req)
	require.NoError(t, err)
	var back createParams
	require.NoError(t, Unmarshal(reqs[0].params, &back))
	require.True(t, back.Start.Equal(start), "start %v", back.Start)
	require.Equal(t, 7, back.StaffID)
	e = getEncoder()
	idRaw, err := Marshal(id)
	require.NoError(t, err)
	require.NoError(t, encodeResponse(e, idRaw, createResult{BookingID: "b-123"}, nil))
	ok := e.finish()
	e = getEncoder()
	require.NoError(t, encodeResponse(e, idRaw, nil, NewError(CodeConflict, "slot taken", nil)))
	fail := e.finish()

	var b strings.Builder
	block := func(title string, data []byte) {
		b.WriteString(title + " (" + itoa(len(data)) + " bytes):\n\n```\n")
		for i := 0; i < len(data); i += 16 {
			line := hex.EncodeToString(data[i:min(i+16, len(data))])
			for j := 0; j < len(line); j += 2 {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(line[j : j+2])
			}
			b.WriteByte('\n')
		}
		b.WriteString("```\n")
	}
	block("Request body", req)
	b.WriteString("\n")
	block("Reply body, success", ok)
	b.WriteString("\n")
	block("Reply body, error", fail)
	want := b.String()

	readme, _ := os.ReadFile("../../proto-schemas/README.md")
	if !strings.Contains(string(readme), want) {
		t.Fatalf("proto-schemas/README.md lacks the current wire example; paste:\n\n%s", want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
