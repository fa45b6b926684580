package database

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Cipher seals PII with AES-256-GCM and computes blind indexes. Several keys may be configured;
// the first seals, all of them open, so old rows stay readable while keys rotate.
//
// A sealed blob is: len(keyID) (1 byte) | keyID | nonce (12 bytes) | ciphertext+tag. The
// associated data binds a blob to its tenant and column, so a ciphertext copied into another
// row or tenant does not open.
type Cipher struct {
	current string
	aeads   map[string]cipher.AEAD
	blind   []byte
}

// ParseKeys reads "id:base64key,id:base64key" (the first is current) and the blind-index key
// (base64, at least 32 bytes) into a Cipher.
func ParseKeys(spec, blindIndexKey string) (*Cipher, error) {
	c := &Cipher{aeads: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" || len(id) > 32 {
			return nil, fmt.Errorf("key %d: want id:base64", i+1)
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("key %q: want 32 bytes in base64", id)
		}
		if _, dup := c.aeads[id]; dup {
			return nil, fmt.Errorf("key %q: duplicate id", id)
		}
		block, _ := aes.NewCipher(key) // a 32-byte key cannot fail
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", id, err)
		}
		c.aeads[id] = aead
		if i == 0 {
			c.current = id
		}
	}
	blind, err := base64.StdEncoding.DecodeString(blindIndexKey)
	if err != nil || len(blind) < 32 {
		return nil, errors.New("blind index key: want at least 32 bytes in base64")
	}
	c.blind = blind
	return c, nil
}

// KeyID is the id of the key new blobs are sealed with.
func (c *Cipher) KeyID() string { return c.current }

// Seal encrypts plain for one tenant's column; an empty string seals to nil (SQL NULL).
func (c *Cipher) Seal(plain, companyID, column string) ([]byte, error) {
	if plain == "" {
		return nil, nil
	}
	aead := c.aeads[c.current]
	out := make([]byte, 0, 1+len(c.current)+aead.NonceSize()+len(plain)+aead.Overhead())
	out = append(out, byte(len(c.current)))
	out = append(out, c.current...)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, []byte(plain), aad(companyID, column)), nil
}

// Open decrypts a blob sealed by Seal with any configured key; nil opens to "".
func (c *Cipher) Open(blob []byte, companyID, column string) (string, error) {
	if len(blob) == 0 {
		return "", nil
	}
	n := int(blob[0])
	if len(blob) < 1+n {
		return "", errors.New("open: truncated blob")
	}
	id := string(blob[1 : 1+n])
	aead, ok := c.aeads[id]
	if !ok {
		return "", fmt.Errorf("open: unknown key id %q", id)
	}
	rest := blob[1+n:]
	if len(rest) < aead.NonceSize()+aead.Overhead() {
		return "", errors.New("open: truncated blob")
	}
	plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], aad(companyID, column))
	if err != nil {
		return "", fmt.Errorf("open %s with key %q: %w", column, id, err)
	}
	return string(plain), nil
}

// BlindIndex is HMAC-SHA256 of an E.164 number under the blind-index key: equal numbers give
// equal digests within a deployment, and the digest reveals nothing without the key.
func (c *Cipher) BlindIndex(e164 string) []byte {
	m := hmac.New(sha256.New, c.blind)
	m.Write([]byte(e164))
	return m.Sum(nil)
}

func aad(companyID, column string) []byte {
	return []byte("askpro/pii/v1|" + companyID + "|" + column)
}
