package logging

import (
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	// International numbers (+49 30 1234567, 0049-30-1234567) and national ones with a trunk
	// zero (030 1234567, (030) 123 456-78). Timestamps start with a year, never with 0 or +,
	// so they are left alone.
	phonePattern = regexp.MustCompile(`(?:\+|\b00)[1-9][0-9 \-/().]{5,18}[0-9]|\(?\b0[1-9][0-9]{0,4}\)?[ \-/]?[0-9][0-9 \-/]{3,14}[0-9]`)
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
)

// MaskingWriter rewrites every line so that phone numbers and e-mail addresses are masked.
type MaskingWriter struct {
	out io.Writer
}

// NewMaskingWriter wraps out.
func NewMaskingWriter(out io.Writer) *MaskingWriter {
	return &MaskingWriter{out: out}
}

// Write masks p and writes it whole. It reports len(p) on success, as io.Writer requires,
// even though the masked line may differ in length.
func (w *MaskingWriter) Write(p []byte) (int, error) {
	if _, err := w.out.Write(MaskBytes(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// MaskBytes returns p with phone numbers and e-mail addresses masked.
func MaskBytes(p []byte) []byte {
	p = emailPattern.ReplaceAllFunc(p, func(m []byte) []byte { return []byte(Email(string(m))) })
	return phonePattern.ReplaceAllFunc(p, func(m []byte) []byte { return []byte(Phone(string(m))) })
}

// Phone masks a phone number, keeping its first two and last two digits so that support can
// still tell numbers apart: "+4930123456" → "+49******56".
func Phone(s string) string {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits == 0 {
		return s
	}
	var b strings.Builder
	seen := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			if r == '+' {
				b.WriteRune(r)
			}
			continue
		}
		seen++
		if seen <= 2 && digits > 6 || seen > digits-2 {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// Email masks the local part of an address: "max.muster@example.de" → "m***@example.de".
func Email(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return "***"
	}
	first, _ := utf8.DecodeRuneInString(s)
	return string(first) + "***" + s[at:]
}
