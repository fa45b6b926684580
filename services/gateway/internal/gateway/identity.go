package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/askproai/backend/pkg/rpc"
)

// Who acted, as the audit log records it (issues 21 and 26). The actor is taken from what the
// gateway itself verified (the API key, the signed Retell body), never from params; the address
// and user agent are the HTTP client's. Everything travels to the services in the bus envelope
// (rpc.WithIdentity), so the database service writes it into each audit row.

// keyIDLen is how many hex digits of the key's SHA-256 digest name it in the audit log: enough
// to tell keys apart, too few to look the key up (the companies table holds the whole digest).
const keyIDLen = 16

// KeyID names an API key in the audit log when the database did not give the key's id: the
// first 16 hex digits of its SHA-256 digest.
func KeyID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:keyIDLen]
}

// TrustedProxies are the peers whose X-Forwarded-For is believed (TRUSTED_PROXIES). Empty, the
// default, believes no one: the client is the connection's peer.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes or single addresses.
func ParseTrustedProxies(list []string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR prefix", s)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR prefix", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (t TrustedProxies) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the client that made r. It is the connection's peer, unless the
// peer is a trusted proxy: then X-Forwarded-For is read from the right, skipping trusted
// proxies, and the first address that is not one is the client. Entries further left were
// written by the client itself and prove nothing. "" when the peer is not an IP address.
func (t TrustedProxies) ClientIP(r *http.Request) string {
	peer, ok := remoteAddr(r.RemoteAddr)
	if !ok {
		return ""
	}
	if len(t) == 0 || !t.contains(peer) {
		return peer.String()
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return client.String() // garbage: the last hop we could trust is as far as we see
			}
			client = a.Unmap()
			if !t.contains(client) {
				return client.String()
			}
		}
	}
	return client.String()
}

func remoteAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// identity is the caller's identity for actor, with r's client address and user agent.
func (s *Server) identity(r *http.Request, actor string) rpc.Identity {
	return rpc.Identity{Actor: actor, IP: s.opt.TrustedProxies.ClientIP(r), UserAgent: r.UserAgent()}
}

// apiIdentity is the identity of a /rpc request made with key: api:<key id> (api_keys.id), or
// api:<digest prefix> when the database service did not name the key.
func (s *Server) apiIdentity(r *http.Request, p Principal, key string) rpc.Identity {
	if p.KeyID != "" {
		return s.identity(r, "api:"+p.KeyID)
	}
	return s.identity(r, "api:"+KeyID(key))
}

// retellIdentity is the identity of a Retell request about call callID.
func (s *Server) retellIdentity(r *http.Request, callID string) rpc.Identity {
	if callID == "" {
		callID = "unknown"
	}
	return s.identity(r, "retell:"+callID)
}

// msgActorRefused answers a /rpc request whose params name an actor.
const msgActorRefused = "params must not contain actor: the actor is the API key's"

// namesActor reports whether params is an object with a top-level "actor" member, in any
// letter case (encoding/json matches field names case-insensitively, so "Actor" would count).
func namesActor(params json.RawMessage) bool {
	params = bytes.TrimSpace(params)
	if len(params) == 0 || params[0] != '{' {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(params, &top) != nil {
		return false // the method's own decoding reports the error
	}
	for k := range top {
		if strings.EqualFold(k, "actor") {
			return true
		}
	}
	return false
}
