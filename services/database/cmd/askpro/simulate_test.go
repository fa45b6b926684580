package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/database/cmd/askpro/democall"
)

// printCall shows the conversation turn by turn, the agent's question and the caller's
// answer included, with phone numbers masked.
func TestPrintCallShowsTheExchange(t *testing.T) {
	res := democall.Result{CallID: "call_demo_1", Clarified: "Dienstag, 8. Dezember", Exchange: []democall.Line{
		{Who: democall.Caller, Text: "Hallo, hier ist Anna Weber. Ich möchte haare schneiden lassen, am liebsten nächsten Dienstag um halb drei."},
		{Who: democall.Agent, Text: "Meinen Sie Dienstag, 8. Dezember, um 14:30 Uhr oder Dienstag, 15. Dezember, um 14:30 Uhr?"},
		{Who: democall.Caller, Text: "Ich meine Dienstag, den 8. Dezember, um halb drei. Meine Nummer ist +4915112345678."},
	}}
	var out bytes.Buffer
	printCall(&out, res, democall.Options{})
	printed := out.String()
	require.Contains(t, printed, "\nconversation:\n  caller: Hallo, hier ist Anna Weber.")
	require.Contains(t, printed, "\n  agent:  Meinen Sie Dienstag, 8. Dezember, um 14:30 Uhr oder Dienstag, 15. Dezember, um 14:30 Uhr?\n")
	require.Contains(t, printed, "\n  caller: Ich meine Dienstag, den 8. Dezember, um halb drei.")
	require.Contains(t, printed, "caller meant:  Dienstag, 8. Dezember")
	require.NotContains(t, printed, "+4915112345678")
}
