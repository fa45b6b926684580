package call

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEstimateSentiment(t *testing.T) {
	tests := []struct {
		name, text string
		want       Sentiment
	}{
		{"empty", "", SentimentUnknown},
		{"german positive", "Super, das ist perfekt, vielen Dank!", SentimentPositive},
		{"german negative", "Ich bin sehr enttäuscht und verärgert.", SentimentNegative},
		{"nicht zufrieden", "Ich bin nicht zufrieden.", SentimentNegative},
		{"gar nicht gut", "Das war gar nicht gut, ehrlich.", SentimentNeutral},
		{"kein Problem", "Kein Problem, das passt prima.", SentimentPositive},
		{"negation ends at clause", "Nicht schlimm. Toll!", SentimentPositive},
		{"politeness only", "Ja, danke.", SentimentNeutral},
		{"neutral german", "Ich hätte gern einen Termin am Dienstag.", SentimentNeutral},
		{"english positive", "Great, thank you so much, that's perfect.", SentimentPositive},
		{"english negative", "This is terrible, I'm really angry.", SentimentNegative},
		{"not happy", "I am not happy with this at all.", SentimentNegative},
		{"no problem", "No problem, that works great.", SentimentPositive},
		{"umlauts and case", "UNZUFRIEDEN und ÄRGERLICH", SentimentNegative},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, EstimateSentiment(tc.text))
		})
	}
}

func TestParseSentiment(t *testing.T) {
	tests := []struct {
		in   string
		want Sentiment
	}{
		{"Positive", SentimentPositive}, {"Negative", SentimentNegative}, {"Neutral", SentimentNeutral},
		{"Unknown", SentimentUnknown}, {" positive ", SentimentPositive}, {"", ""}, {"Mixed", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) { require.Equal(t, tc.want, ParseSentiment(tc.in)) })
	}
}
