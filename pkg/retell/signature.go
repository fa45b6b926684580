// Package retell is Retell AI's request signature, X-Retell-Signature, in one place: the
// gateway verifies it, and the tools that play calls against the gateway (askpro
// simulate-call, the load generator, the end-to-end test) sign with it.
package retell

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries Retell's webhook and function-call signature.
const SignatureHeader = "X-Retell-Signature"

// SignatureTolerance is how far a signature's timestamp may be from now, either way (Retell's
// SDK accepts exactly ±5 minutes).
const SignatureTolerance = 5 * time.Minute

var (
	// ErrSignatureMissing means the request carried no signature header.
	ErrSignatureMissing = errors.New("signature header missing")
	// ErrSignatureMalformed means the header is not v=<ms>,d=<64 hex>.
	ErrSignatureMalformed = errors.New("signature header malformed")
	// ErrSignatureExpired means the timestamp is outside the tolerance window.
	ErrSignatureExpired = errors.New("signature timestamp outside the accepted window")
	// ErrSignatureMismatch means no configured key produced the digest.
	ErrSignatureMismatch = errors.New("signature does not match")
)

// Verifier checks X-Retell-Signature: v=<unix ms>,d=hex(HMAC-SHA256(key, body || decimal(v))).
// Several keys may be configured so a key can be rotated without downtime.
type Verifier struct {
	keys [][]byte
	now  func() time.Time
}

// NewVerifier returns a Verifier over keys; now is the clock (time.Now in production).
func NewVerifier(keys []string, now func() time.Time) (*Verifier, error) {
	if len(keys) == 0 {
		return nil, errors.New("no Retell signing key configured")
	}
	v := &Verifier{now: now}
	for _, k := range keys {
		if k == "" {
			return nil, errors.New("empty Retell signing key")
		}
		v.keys = append(v.keys, []byte(k))
	}
	return v, nil
}

// Verify checks header against the raw body bytes exactly as received. Never pass a body that
// was re-encoded: any byte change (key order, escaping of umlauts) breaks the HMAC.
func (v *Verifier) Verify(body []byte, header string) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrSignatureMissing
	}
	ts, digest, err := parseSignature(header)
	if err != nil {
		return err
	}
	skew := v.now().UnixMilli() - ts
	if skew > SignatureTolerance.Milliseconds() || -skew > SignatureTolerance.Milliseconds() {
		return ErrSignatureExpired
	}
	stamp := strconv.FormatInt(ts, 10)
	for _, key := range v.keys {
		mac := hmac.New(sha256.New, key)
		mac.Write(body)
		mac.Write([]byte(stamp))
		if hmac.Equal(mac.Sum(nil), digest) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

// Sign returns a header value for body at ts with key. Tests and the demo caller use it.
func Sign(body []byte, key string, ts time.Time) string {
	stamp := strconv.FormatInt(ts.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	mac.Write([]byte(stamp))
	return "v=" + stamp + ",d=" + hex.EncodeToString(mac.Sum(nil))
}

func parseSignature(header string) (int64, []byte, error) {
	vPart, dPart, ok := strings.Cut(header, ",")
	if !ok {
		return 0, nil, ErrSignatureMalformed
	}
	vPart, dPart = strings.TrimSpace(vPart), strings.TrimSpace(dPart)
	if len(vPart) < 3 || !strings.EqualFold(vPart[:2], "v=") || len(dPart) != 66 || !strings.EqualFold(dPart[:2], "d=") {
		return 0, nil, ErrSignatureMalformed
	}
	for _, c := range vPart[2:] {
		if c < '0' || c > '9' {
			return 0, nil, ErrSignatureMalformed
		}
	}
	// Retell's SDK rebuilds the stamp with String(Number(v)), so leading zeros are dropped.
	ts, err := strconv.ParseInt(vPart[2:], 10, 64)
	if err != nil || ts <= 0 {
		return 0, nil, ErrSignatureMalformed
	}
	digest, err := hex.DecodeString(dPart[2:])
	if err != nil {
		return 0, nil, ErrSignatureMalformed
	}
	return ts, digest, nil
}
