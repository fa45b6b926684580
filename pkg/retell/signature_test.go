package retell_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/retell"
)

// The vectors from shared/research/retell.md §2.3, computed with retell-sdk 4.66.0, 5.9.0 and
// 5.66.1 and checked with openssl.
const (
	vectorKey  = "test-api-key"
	vectorTS   = int64(1714608475945)
	vectorBody = `{"event":"call_started","call":{"call_id":"call_123"}}`
	vectorSig  = "c651827e0e4a0caac573b84a6193c4ee0bc0857b5c2568a9cf786afbc22e8e40"
	umlautBody = `{"event":"call_ended","call":{"call_id":"call_123","transcript":"User: Ich hätte gern einen Termin für Dienstag, 14 Uhr – geht das?"}}`
	umlautSig  = "d43db939ba1462cb16504331b63d6a7e585f6799724e9bb21a388edae7540580"
)

func verifierAt(t *testing.T, now time.Time, keys ...string) *retell.Verifier {
	t.Helper()
	v, err := retell.NewVerifier(keys, func() time.Time { return now })
	require.NoError(t, err)
	return v
}

func TestVerifySignature(t *testing.T) {
	at := time.UnixMilli(vectorTS)
	header := "v=1714608475945,d=" + vectorSig
	cases := []struct {
		name   string
		body   string
		header string
		now    time.Time
		keys   []string
		want   error
	}{
		{"vector", vectorBody, header, at, []string{vectorKey}, nil},
		{"umlauts and en dash", umlautBody, "v=1714608475945,d=" + umlautSig, at, []string{vectorKey}, nil},
		{"uppercase digest", vectorBody, "v=1714608475945,d=" + strings.ToUpper(vectorSig), at, []string{vectorKey}, nil},
		{"rotated key second", vectorBody, header, at, []string{"new-key", vectorKey}, nil},
		{"surrounding spaces", vectorBody, "  " + header + " ", at, []string{vectorKey}, nil},
		{"exactly five minutes old", vectorBody, header, at.Add(5 * time.Minute), []string{vectorKey}, nil},
		{"exactly five minutes ahead", vectorBody, header, at.Add(-5 * time.Minute), []string{vectorKey}, nil},
		{"tampered body", strings.Replace(vectorBody, "123", "124", 1), header, at, []string{vectorKey}, retell.ErrSignatureMismatch},
		{"re-encoded umlaut", strings.Replace(umlautBody, "ä", `\u00e4`, 1), "v=1714608475945,d=" + umlautSig, at, []string{vectorKey}, retell.ErrSignatureMismatch},
		{"wrong key", vectorBody, header, at, []string{"other-key"}, retell.ErrSignatureMismatch},
		{"stale", vectorBody, header, at.Add(5*time.Minute + time.Millisecond), []string{vectorKey}, retell.ErrSignatureExpired},
		{"future", vectorBody, header, at.Add(-5*time.Minute - time.Millisecond), []string{vectorKey}, retell.ErrSignatureExpired},
		{"missing", vectorBody, "", at, []string{vectorKey}, retell.ErrSignatureMissing},
		{"no comma", vectorBody, "v=1714608475945 d=" + vectorSig, at, []string{vectorKey}, retell.ErrSignatureMalformed},
		{"short digest", vectorBody, "v=1714608475945,d=" + vectorSig[:62], at, []string{vectorKey}, retell.ErrSignatureMalformed},
		{"non-hex digest", vectorBody, "v=1714608475945,d=" + strings.Repeat("z", 64), at, []string{vectorKey}, retell.ErrSignatureMalformed},
		{"negative stamp", vectorBody, "v=-1714608475945,d=" + vectorSig, at, []string{vectorKey}, retell.ErrSignatureMalformed},
		{"stamp overflow", vectorBody, "v=99999999999999999999999,d=" + vectorSig, at, []string{vectorKey}, retell.ErrSignatureMalformed},
		{"swapped parts", vectorBody, "d=" + vectorSig + ",v=1714608475945", at, []string{vectorKey}, retell.ErrSignatureMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := verifierAt(t, tc.now, tc.keys...).Verify([]byte(tc.body), tc.header)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestSignMatchesVectors(t *testing.T) {
	require.Equal(t, "v=1714608475945,d="+vectorSig, retell.Sign([]byte(vectorBody), vectorKey, time.UnixMilli(vectorTS)))
	require.Equal(t, "v=1714608475945,d="+umlautSig, retell.Sign([]byte(umlautBody), vectorKey, time.UnixMilli(vectorTS)))
}

func TestNewVerifierRejectsEmptyKeys(t *testing.T) {
	_, err := retell.NewVerifier(nil, time.Now)
	require.Error(t, err)
	_, err = retell.NewVerifier([]string{""}, time.Now)
	require.Error(t, err)
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte(vectorBody), "v=1714608475945,d="+vectorSig)
	f.Add([]byte(umlautBody), "v=0,d=")
	f.Add([]byte{}, ",,,")
	v, err := retell.NewVerifier([]string{vectorKey}, func() time.Time { return time.UnixMilli(vectorTS) })
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		err := v.Verify(body, header)
		if err == nil {
			// Only the real digest verifies: anything else would be an HMAC forgery.
			want := retell.Sign(body, vectorKey, time.UnixMilli(vectorTS))[len("v=1714608475945,"):]
			require.Contains(t, strings.ToLower(header), want)
		}
	})
}
