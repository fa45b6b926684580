package rpc

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	"github.com/invopop/jsonschema"
)

// OpenRPCVersion is the OpenRPC specification version of the documents rpc.discover returns.
const OpenRPCVersion = "1.3.2"

// OpenRPC returns the service's OpenRPC document, generated from the registered methods' Go
// types (JSON Schema from json tags), as a JSON-compatible value.
func (s *Server) OpenRPC() (map[string]any, error) {
	raw, err := s.OpenRPCJSON()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("decode openrpc document: %w", err)
	}
	return doc, nil
}

// OpenRPCJSON returns the service's OpenRPC document as indented JSON, for proto-schemas/.
func (s *Server) OpenRPCJSON() ([]byte, error) {
	names := make([]string, 0, len(s.methods))
	for n := range s.methods {
		names = append(names, n)
	}
	sort.Strings(names)
	methods := make([]openrpcMethod, 0, len(names))
	for _, n := range names {
		methods = append(methods, describe(s.methods[n]))
	}
	doc := map[string]any{
		"openrpc": OpenRPCVersion,
		"info":    map[string]any{"title": s.cfg.Service, "version": versionOr(s.cfg.Version)},
		"methods": methods,
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode openrpc document: %w", err)
	}
	return out, nil
}

type openrpcMethod struct {
	Name           string              `json:"name"`
	Summary        string              `json:"summary,omitempty"`
	ParamStructure string              `json:"paramStructure"`
	Params         []openrpcDescriptor `json:"params"`
	Result         *openrpcDescriptor  `json:"result,omitempty"`
	Idempotent     bool                `json:"x-idempotent"`
}

type openrpcDescriptor struct {
	Name     string             `json:"name"`
	Required bool               `json:"required,omitempty"`
	Schema   *jsonschema.Schema `json:"schema"`
}

var reflector = &jsonschema.Reflector{DoNotReference: true, Anonymous: true, AllowAdditionalProperties: true}

func schemaOf(t reflect.Type) *jsonschema.Schema {
	s := reflector.ReflectFromType(t)
	s.Version = ""
	return s
}

// describe turns a method's params struct into by-name params, one per property.
func describe(m *method) openrpcMethod {
	om := openrpcMethod{Name: m.name, Summary: m.summary, ParamStructure: "by-name", Params: []openrpcDescriptor{}, Idempotent: !m.nonIdempotent}
	if m.params != nil {
		ps := schemaOf(m.params)
		required := map[string]bool{}
		for _, r := range ps.Required {
			required[r] = true
		}
		if ps.Properties != nil {
			for name, prop := range ps.Properties.FromOldest() {
				om.Params = append(om.Params, openrpcDescriptor{Name: name, Required: required[name], Schema: prop})
			}
		}
	}
	if m.result != nil {
		om.Result = &openrpcDescriptor{Name: "result", Schema: schemaOf(m.result)}
	} else {
		om.Result = &openrpcDescriptor{Name: "result", Schema: &jsonschema.Schema{Type: "object"}}
	}
	return om
}

func versionOr(v string) string {
	if v == "" {
		return "0.0.0"
	}
	return v
}
