package contract

import (
	"errors"
	"fmt"
	"strings"
)

var errShape = errors.New("unexpected document shape")

// bookingBodies are the operations whose request-body oneOf the Prism copy turns into anyOf.
var bookingBodies = [][2]string{
	{"/v2/bookings", "post"},
	{"/v2/bookings/{bookingUid}/cancel", "post"},
	{"/v2/bookings/{bookingUid}/reschedule", "post"},
}

// bookingOutputs are the response schemas whose data oneOf overlaps.
var bookingOutputs = []string{
	"CreateBookingOutput_2024_08_13",
	"GetBookingOutput_2024_08_13",
	"CancelBookingOutput_2024_08_13",
	"RescheduleBookingOutput_2024_08_13",
}

func patch(doc map[string]any) error {
	for _, op := range bookingBodies {
		schema, err := dig(doc, "paths", op[0], op[1], "requestBody", "content", "application/json", "schema")
		if err != nil {
			return err
		}
		if err := anyOf(schema); err != nil {
			return fmt.Errorf("%s %s: %w", op[1], op[0], err)
		}
	}
	for _, name := range bookingOutputs {
		data, err := dig(doc, "components", "schemas", name, "properties", "data")
		if err != nil {
			return err
		}
		if err := anyOf(data); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	items, err := dig(doc, "components", "schemas", "GetBookingsOutput_2024_08_13", "properties", "data", "items")
	if err != nil {
		return err
	}
	if err := anyOf(items); err != nil {
		return fmt.Errorf("GetBookingsOutput_2024_08_13: %w", err)
	}
	typeQueryParams(doc)
	if err := fixEventTypeOutput(doc); err != nil {
		return err
	}
	for _, name := range []string{"EventTypeOutput_2024_06_14", "TeamEventTypeOutput_2024_06_14"} {
		if err := fixBookingWindow(doc, name); err != nil {
			return err
		}
	}
	schemas, err := dig(doc, "components", "schemas")
	if err != nil {
		return err
	}
	walk(schemas, fixSchema)
	return wrapSlots(doc)
}

// fixEventTypeOutput lets booking fields and locations match any of their overlapping variants,
// and types the isDefault/required flags of booking-field outputs as the booleans the API sends
// (the document says object).
func fixEventTypeOutput(doc map[string]any) error {
	props, err := dig(doc, "components", "schemas", "EventTypeOutput_2024_06_14", "properties")
	if err != nil {
		return err
	}
	for _, list := range []string{"bookingFields", "locations"} {
		items, err := dig(props, list, "items")
		if err != nil {
			return err
		}
		if err := anyOf(items); err != nil {
			return fmt.Errorf("EventTypeOutput_2024_06_14 %s: %w", list, err)
		}
	}
	schemas, _ := dig(doc, "components", "schemas")
	for name, schema := range schemas {
		if !strings.HasSuffix(name, "FieldOutput_2024_06_14") {
			continue
		}
		fieldProps, _ := dig(schema.(map[string]any), "properties")
		for _, flag := range []string{"isDefault", "required"} {
			if p, ok := fieldProps[flag].(map[string]any); ok && p["type"] == "object" {
				p["type"] = "boolean"
			}
		}
	}
	return nil
}

// fixBookingWindow repairs the bookingWindow of an event-type output, which the document
// declares as an array whose items are oneOf BusinessDaysWindow / CalendarDaysWindow /
// RangeWindow. Two quirks: those two day windows are the same schema (type enum of all three
// kinds, a number value, rolling), so every day window matches both and oneOf can never pass:
// anyOf. And Cal.com's own code (transformFutureBookingLimitsInternalToApi in
// platform/libraries) answers one window object, or {"disabled": true} for "indefinitely", not
// an array: the object (the input schemas' own oneOf, Disabled_2024_06_14 included) is accepted
// beside the documented array.
func fixBookingWindow(doc map[string]any, schema string) error {
	props, err := dig(doc, "components", "schemas", schema, "properties")
	if err != nil {
		return err
	}
	window, err := dig(props, "bookingWindow")
	if err != nil {
		return err
	}
	items, err := dig(window, "items")
	if err != nil {
		return fmt.Errorf("%s bookingWindow: %w", schema, err)
	}
	if err := anyOf(items); err != nil {
		return fmt.Errorf("%s bookingWindow: %w", schema, err)
	}
	alts, _ := items["anyOf"].([]any)
	object := append(append([]any{}, alts...), map[string]any{"$ref": "#/components/schemas/Disabled_2024_06_14"})
	props["bookingWindow"] = map[string]any{
		"description": window["description"],
		"anyOf": []any{
			map[string]any{"type": "array", "items": items},
			map[string]any{"anyOf": object},
		},
	}
	return nil
}

// fixSchema repairs two upstream generator bugs: an enum put on an array as well as on its
// items (the array value can never equal a string), and the unexpanded pattern placeholder
// "TIME_FORMAT_HH_MM".
func fixSchema(node map[string]any) {
	if node["type"] == "array" && node["enum"] != nil && node["items"] != nil {
		delete(node, "enum")
	}
	if node["pattern"] == "TIME_FORMAT_HH_MM" {
		node["pattern"] = `^([01][0-9]|2[0-3]):[0-5][0-9]$`
	}
}

// walk calls fn on every object below node.
func walk(node any, fn func(map[string]any)) {
	switch v := node.(type) {
	case map[string]any:
		fn(v)
		for _, child := range v {
			walk(child, fn)
		}
	case []any:
		for _, child := range v {
			walk(child, fn)
		}
	}
}

// typeQueryParams gives schema-less query parameters (GET /v2/slots declares start, end,
// eventTypeId… with an empty schema) the type every query value has on the wire: string.
// Without it the validator cannot decode them at all.
func typeQueryParams(doc map[string]any) {
	paths, _ := doc["paths"].(map[string]any)
	for _, item := range paths {
		ops, _ := item.(map[string]any)
		for _, op := range ops {
			opMap, _ := op.(map[string]any)
			params, _ := opMap["parameters"].([]any)
			for _, p := range params {
				param, _ := p.(map[string]any)
				if schema, ok := param["schema"].(map[string]any); ok && len(schema) == 0 {
					param["schema"] = map[string]any{"type": "string"}
				}
			}
		}
	}
}

func wrapSlots(doc map[string]any) error {
	content, err := dig(doc, "paths", "/v2/slots", "get", "responses", "200", "content", "application/json")
	if err != nil {
		return err
	}
	dates, ok := content["schema"].(map[string]any)
	if !ok {
		return fmt.Errorf("slots schema: %w", errShape)
	}
	if err := anyOf(dates); err != nil {
		return fmt.Errorf("slots schema: %w", err)
	}
	content["schema"] = map[string]any{
		"type":     "object",
		"required": []any{"status", "data"},
		"properties": map[string]any{
			"status": map[string]any{"type": "string", "enum": []any{"success"}},
			"data":   dates,
		},
	}
	return nil
}

func anyOf(schema map[string]any) error {
	alts, ok := schema["oneOf"]
	if !ok {
		return errShape
	}
	delete(schema, "oneOf")
	schema["anyOf"] = alts
	return nil
}

func dig(node map[string]any, keys ...string) (map[string]any, error) {
	for _, k := range keys {
		next, ok := node[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("missing %q: %w", k, errShape)
		}
		node = next
	}
	return node, nil
}
