package brevo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AttrKind is the kind of value an AttrValue holds.
type AttrKind uint8

// The kinds of attribute value.
const (
	KindNull     AttrKind = iota // no value: encodes as JSON null
	KindText                     // a string
	KindNumber                   // a float attribute's value
	KindDate                     // a calendar date, sent as "YYYY-MM-DD"
	KindBool                     // a boolean attribute's value
	KindCategory                 // the numeric value of a category attribute's option
	KindOther                    // a reply value of another JSON type (a multiple-choice array, say), kept raw
)

// String names the kind.
func (k AttrKind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindText:
		return "text"
	case KindNumber:
		return "number"
	case KindDate:
		return "date"
	case KindBool:
		return "boolean"
	case KindCategory:
		return "category"
	case KindOther:
		return "other"
	}
	return "AttrKind(" + strconv.Itoa(int(k)) + ")"
}

// AttrValue is the value of one contact attribute: text, number, date,
// boolean or category. Build it with Text, Number, Date, Bool or Category.
// Values decoded from a reply are text, number, boolean or null, as the JSON
// says; the Date and Category accessors read a date from text and a category
// from a whole number.
type AttrValue struct {
	kind AttrKind
	s    string // text; the raw JSON for KindOther
	f    float64
	t    time.Time
	b    bool
	id   int64
}

// Text returns a text attribute value.
func Text(s string) AttrValue { return AttrValue{kind: KindText, s: s} }

// Number returns a float attribute value. NaN and infinities cannot be sent:
// the call fails with ErrInvalidRequest.
func Number(f float64) AttrValue { return AttrValue{kind: KindNumber, f: f} }

// Date returns a date attribute value: the calendar date of t in t's own
// location, sent as "YYYY-MM-DD".
func Date(t time.Time) AttrValue { return AttrValue{kind: KindDate, t: t} }

// Bool returns a boolean attribute value.
func Bool(b bool) AttrValue { return AttrValue{kind: KindBool, b: b} }

// Category returns a category attribute value: the numeric value of one of
// the attribute's options (its enumeration), not the label.
func Category(value int64) AttrValue { return AttrValue{kind: KindCategory, id: value} }

// Kind returns the kind of value v holds.
func (v AttrValue) Kind() AttrKind { return v.kind }

// IsNull reports whether v holds no value.
func (v AttrValue) IsNull() bool { return v.kind == KindNull }

// Text returns a text value, or false for another kind.
func (v AttrValue) Text() (string, bool) { return v.s, v.kind == KindText }

// Number returns a number; a category's value also reads as a number.
func (v AttrValue) Number() (float64, bool) {
	switch v.kind {
	case KindNumber:
		return v.f, true
	case KindCategory:
		return float64(v.id), true
	}
	return 0, false
}

// Bool returns a boolean value, or false for another kind.
func (v AttrValue) Bool() (value, ok bool) { return v.b, v.kind == KindBool }

// Date returns a date value. Text in the forms Brevo uses for dates
// ("2006-01-02", RFC 3339) also reads as a date.
func (v AttrValue) Date() (time.Time, bool) {
	switch v.kind {
	case KindDate:
		return v.t, true
	case KindText:
		for _, layout := range []string{"2006-01-02", time.RFC3339Nano} {
			if t, err := time.Parse(layout, v.s); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// Category returns a category value; a whole number also reads as one.
func (v AttrValue) Category() (int64, bool) {
	switch v.kind {
	case KindCategory:
		return v.id, true
	case KindNumber:
		if v.f == math.Trunc(v.f) && math.Abs(v.f) < 1<<53 {
			return int64(v.f), true
		}
	}
	return 0, false
}

// Raw returns the JSON of a KindOther value, or nil.
func (v AttrValue) Raw() json.RawMessage {
	if v.kind != KindOther {
		return nil
	}
	return json.RawMessage(v.s)
}

// String formats the value for display: text as is, a date as YYYY-MM-DD.
func (v AttrValue) String() string {
	switch v.kind {
	case KindText, KindOther:
		return v.s
	case KindNumber:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	case KindDate:
		return v.t.Format(time.DateOnly)
	case KindBool:
		return strconv.FormatBool(v.b)
	case KindCategory:
		return strconv.FormatInt(v.id, 10)
	}
	return "null"
}

// Equal reports whether v and w hold the same kind and value.
func (v AttrValue) Equal(w AttrValue) bool {
	if v.kind != w.kind {
		return false
	}
	switch v.kind {
	case KindDate:
		return v.t.Format(time.DateOnly) == w.t.Format(time.DateOnly)
	case KindOther:
		return bytes.Equal(compactJSON(v.s), compactJSON(w.s))
	}
	return v.s == w.s && v.f == w.f && v.b == w.b && v.id == w.id
}

func compactJSON(s string) []byte {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return []byte(s)
	}
	return b.Bytes()
}

// MarshalJSON encodes the value as Brevo expects it.
func (v AttrValue) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case KindText:
		return json.Marshal(v.s)
	case KindNumber:
		if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
			return nil, fmt.Errorf("attribute number %v is not a finite number", v.f)
		}
		return json.Marshal(v.f)
	case KindDate:
		return json.Marshal(v.t.Format(time.DateOnly))
	case KindBool:
		return json.Marshal(v.b)
	case KindCategory:
		return []byte(strconv.FormatInt(v.id, 10)), nil
	case KindOther:
		return []byte(v.s), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON decodes any JSON value: a string as text, a number, a
// boolean, null, and anything else as KindOther.
func (v *AttrValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("empty attribute value")
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = Text(s)
	case 't', 'f':
		var x bool
		if err := json.Unmarshal(b, &x); err != nil {
			return err
		}
		*v = Bool(x)
	case 'n':
		*v = AttrValue{}
	case '{', '[':
		*v = AttrValue{kind: KindOther, s: string(b)}
	default:
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return fmt.Errorf("attribute value %s: %w", b, err)
		}
		*v = Number(f)
	}
	return nil
}

// Attributes are a contact's attribute values by attribute name. Brevo
// stores names in upper case ("SENTIMENT_SCORE").
type Attributes map[string]AttrValue

// check rejects values that cannot be encoded, naming the attribute.
func (a Attributes) check() error {
	for name, v := range a {
		if strings.TrimSpace(name) == "" {
			return errors.New("an attribute has an empty name")
		}
		if v.kind == KindNumber && (math.IsNaN(v.f) || math.IsInf(v.f, 0)) {
			return fmt.Errorf("attribute %s: %v is not a finite number", name, v.f)
		}
	}
	return nil
}

// AttributesService manages the definitions of contact attributes.
type AttributesService service

// AttributeType is the type of a contact attribute.
type AttributeType string

// The attribute types a workflow creates.
const (
	AttributeText        AttributeType = "text"
	AttributeFloat       AttributeType = "float"
	AttributeDate        AttributeType = "date"
	AttributeBoolean     AttributeType = "boolean"
	AttributeCategorical AttributeType = "category" // Brevo's "category" type: one of a fixed set of options, created in CategoryCategory
	AttributeID          AttributeType = "id"
)

// AttributeCategory is the category an attribute belongs to.
type AttributeCategory string

// The attribute categories.
const (
	CategoryNormal        AttributeCategory = "normal"
	CategoryTransactional AttributeCategory = "transactional"
	CategoryCategory      AttributeCategory = "category"
	CategoryCalculated    AttributeCategory = "calculated"
	CategoryGlobal        AttributeCategory = "global"
)

// EnumOption is one option of a category attribute.
type EnumOption struct {
	Value int64  `json:"value"`
	Label string `json:"label"`
}

// Attribute describes a contact attribute.
type Attribute struct {
	Name            string            `json:"name"`
	Category        AttributeCategory `json:"category"`
	Type            AttributeType     `json:"type,omitempty"` // empty for category attributes
	Enumeration     []EnumOption      `json:"enumeration,omitempty"`
	CalculatedValue string            `json:"calculatedValue,omitempty"`
}

// AttributeList is the reply of Attributes.List.
type AttributeList struct {
	Attributes []Attribute `json:"attributes"`

	Meta Meta `json:"-"`
}

// Find returns the attribute with the given name, compared without regard
// to case, as Brevo does.
func (l *AttributeList) Find(name string) (Attribute, bool) {
	for _, a := range l.Attributes {
		if strings.EqualFold(a.Name, name) {
			return a, true
		}
	}
	return Attribute{}, false
}

// List returns every contact attribute of the account.
func (s *AttributesService) List(ctx context.Context, opts ...RequestOption) (*AttributeList, error) {
	out := new(AttributeList)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: "contacts/attributes", opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// CreateAttributeRequest defines a new attribute.
type CreateAttributeRequest struct {
	Name     string            `json:"-"`
	Category AttributeCategory `json:"-"` // defaults to CategoryNormal, or CategoryCategory for AttributeCategorical

	Type        AttributeType `json:"type,omitempty"`        // for normal and transactional attributes
	Enumeration []EnumOption  `json:"enumeration,omitempty"` // the options of a category attribute
	Value       string        `json:"value,omitempty"`       // the formula of a calculated or global attribute
	IsRecurring bool          `json:"isRecurring,omitempty"` // for calculated attributes

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name: it sends API fields this package does not know yet.
	Extra map[string]any `json:"-"`
}

// Create defines a new attribute. Brevo answers 400 duplicate_parameter (or
// invalid_parameter on some accounts) when the name is taken; Ensure avoids
// that.
func (s *AttributesService) Create(ctx context.Context, req CreateAttributeRequest, opts ...RequestOption) (*NoContent, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" || strings.Contains(name, "/") {
		return nil, invalid("attribute name %q is empty or contains a slash", req.Name)
	}
	cat := categoryFor(req.Category, req.Type)
	cl := &call{method: http.MethodPost, path: "contacts/attributes/" + url.PathEscape(string(cat)) + "/" + url.PathEscape(name), opts: opts}
	meta, err := s.c.send(ctx, cl, req, req.Extra, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// Delete removes an attribute and its values from every contact.
func (s *AttributesService) Delete(ctx context.Context, category AttributeCategory, name string, opts ...RequestOption) (*NoContent, error) {
	if category == "" || strings.TrimSpace(name) == "" {
		return nil, invalid("attribute category and name are required")
	}
	cl := &call{method: http.MethodDelete, path: "contacts/attributes/" + url.PathEscape(string(category)) + "/" + url.PathEscape(name), opts: opts}
	meta, err := s.c.doJSON(ctx, cl, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// categoryFor defaults the category: category attributes live in the
// category category, everything else in normal.
func categoryFor(c AttributeCategory, t AttributeType) AttributeCategory {
	switch {
	case c != "":
		return c
	case t == AttributeCategorical:
		return CategoryCategory
	default:
		return CategoryNormal
	}
}

// sameType reports whether an existing attribute has type t. Brevo reports
// category attributes by their category, with a type of "text" or none.
func sameType(a Attribute, t AttributeType) bool {
	if a.Category == CategoryCategory || t == AttributeCategorical {
		return a.Category == CategoryCategory && t == AttributeCategorical
	}
	return a.Type == "" || a.Type == t
}

// AttributeSpec names an attribute a workflow writes and its type.
type AttributeSpec struct {
	Name        string
	Type        AttributeType
	Enumeration []EnumOption      // the options of an AttributeCategorical attribute
	Category    AttributeCategory // defaults to CategoryNormal, or CategoryCategory for AttributeCategorical
}

// EnsureResult says what Ensure did.
type EnsureResult struct {
	Created  []string // attributes that were missing and were created
	Existing []string // attributes that already existed with the wanted type
}

// Ensure makes sure each attribute exists before a workflow writes it: it
// lists the account's attributes once and creates only the missing ones, so
// running it again changes nothing. An attribute that exists with another
// type is an error wrapping ErrInvalidRequest, and nothing is created. An
// attribute created concurrently by someone else (a duplicate_parameter
// reply) counts as existing.
func (s *AttributesService) Ensure(ctx context.Context, specs []AttributeSpec, opts ...RequestOption) (*EnsureResult, error) {
	for _, sp := range specs {
		if strings.TrimSpace(sp.Name) == "" || sp.Type == "" {
			return nil, invalid("attribute spec %+v needs a name and a type", sp)
		}
	}
	have, err := s.List(ctx, opts...)
	if err != nil {
		return nil, err
	}
	res := new(EnsureResult)
	var missing []AttributeSpec
	for _, sp := range specs {
		a, ok := have.Find(sp.Name)
		if !ok {
			missing = append(missing, sp)
			continue
		}
		if !sameType(a, sp.Type) {
			have := string(a.Type)
			if a.Category == CategoryCategory {
				have = string(AttributeCategorical)
			}
			return nil, invalid("attribute %s exists with type %s, want %s", a.Name, have, sp.Type)
		}
		res.Existing = append(res.Existing, a.Name)
	}
	for _, sp := range missing {
		_, err := s.Create(ctx, CreateAttributeRequest{Name: sp.Name, Category: sp.Category, Type: sp.Type, Enumeration: sp.Enumeration}, opts...)
		if ErrorCode(err) == CodeDuplicateParameter {
			res.Existing = append(res.Existing, sp.Name)
			continue
		}
		if err != nil {
			return res, err
		}
		res.Created = append(res.Created, sp.Name)
	}
	return res, nil
}
