package brevo_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
)

func TestAttrValueJSON(t *testing.T) {
	day := time.Date(2024, 2, 29, 23, 30, 0, 0, time.FixedZone("X", -5*3600))
	tests := []struct {
		name string
		v    brevo.AttrValue
		json string
		kind brevo.AttrKind
		str  string
	}{
		{"text", brevo.Text(`say "hi" <b>`), `"say \"hi\" <b>"`, brevo.KindText, `say "hi" <b>`},
		{"number", brevo.Number(0.25), `0.25`, brevo.KindNumber, "0.25"},
		{"big number", brevo.Number(1e21), `1e+21`, brevo.KindNumber, "1e+21"},
		{"date in its own zone", brevo.Date(day), `"2024-02-29"`, brevo.KindDate, "2024-02-29"},
		{"bool", brevo.Bool(false), `false`, brevo.KindBool, "false"},
		{"category", brevo.Category(3), `3`, brevo.KindCategory, "3"},
		{"null", brevo.AttrValue{}, `null`, brevo.KindNull, "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			require.NoError(t, err)
			assert.JSONEq(t, tt.json, string(b))
			assert.Equal(t, tt.kind, tt.v.Kind())
			assert.Equal(t, tt.str, tt.v.String())
		})
	}
	_, err := json.Marshal(brevo.Attributes{"X": brevo.Number(math.Inf(1))})
	assert.Error(t, err)

	var got brevo.Attributes
	require.NoError(t, json.Unmarshal([]byte(`{"T":"x","N":2,"B":true,"Z":null,"D":"2024-01-02","M":["a","b"],"O":{"k":1}}`), &got))
	assert.Equal(t, brevo.KindText, got["T"].Kind())
	n, ok := got["N"].Number()
	assert.True(t, ok)
	assert.Equal(t, 2.0, n)
	id, ok := got["N"].Category()
	assert.True(t, ok, "a whole number reads as a category")
	assert.EqualValues(t, 2, id)
	b, ok := got["B"].Bool()
	assert.True(t, ok && b)
	assert.True(t, got["Z"].IsNull())
	d, ok := got["D"].Date()
	assert.True(t, ok)
	assert.Equal(t, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), d)
	_, ok = got["T"].Date()
	assert.False(t, ok)
	assert.Equal(t, brevo.KindOther, got["M"].Kind())
	assert.JSONEq(t, `["a","b"]`, string(got["M"].Raw()))
	assert.True(t, got["O"].Equal(got["O"]))
	_, ok = got["T"].Number()
	assert.False(t, ok)
	assert.Equal(t, "other", brevo.KindOther.String())
	assert.True(t, brevo.Date(day).Equal(brevo.Date(day.Add(time.Minute))), "dates compare by calendar day")
	assert.False(t, brevo.Number(1).Equal(brevo.Category(1)))
}

func TestEnsureCreatesOnlyMissing(t *testing.T) {
	srv := brevotest.NewServer(t, brevotest.WithAttributes(
		brevo.Attribute{Name: "FIRSTNAME", Type: brevo.AttributeText},
		brevo.Attribute{Name: "churn_risk", Type: brevo.AttributeFloat},
	))
	c := srv.Client()
	ctx := context.Background()
	specs := []brevo.AttributeSpec{
		{Name: "SENTIMENT_SCORE", Type: brevo.AttributeFloat},
		{Name: "CHURN_RISK", Type: brevo.AttributeFloat},
		{Name: "PREDICTED_LTV", Type: brevo.AttributeFloat},
		{Name: "SEGMENT", Type: brevo.AttributeText},
	}
	res, err := c.Attributes.Ensure(ctx, specs)
	require.NoError(t, err)
	assert.Equal(t, []string{"SENTIMENT_SCORE", "PREDICTED_LTV", "SEGMENT"}, res.Created)
	assert.Equal(t, []string{"CHURN_RISK"}, res.Existing)
	assert.Equal(t, 3, srv.RequestCount("contacts/attributes/normal/SENTIMENT_SCORE")+srv.RequestCount("contacts/attributes/normal/PREDICTED_LTV")+srv.RequestCount("contacts/attributes/normal/SEGMENT"))

	before := srv.RequestCount("")
	res, err = c.Attributes.Ensure(ctx, specs)
	require.NoError(t, err)
	assert.Empty(t, res.Created)
	assert.Len(t, res.Existing, 4)
	assert.Equal(t, before+1, srv.RequestCount(""), "a second run only lists")

	_, err = c.Attributes.Ensure(ctx, []brevo.AttributeSpec{{Name: "SEGMENT", Type: brevo.AttributeFloat}})
	assert.ErrorIs(t, err, brevo.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "SEGMENT exists with type text, want float")
	_, err = c.Attributes.Ensure(ctx, []brevo.AttributeSpec{{Name: "X"}})
	assert.ErrorIs(t, err, brevo.ErrInvalidRequest)

	list, err := c.Attributes.List(ctx)
	require.NoError(t, err)
	a, ok := list.Find("predicted_ltv")
	require.True(t, ok)
	assert.Equal(t, brevo.AttributeFloat, a.Type)
	assert.Equal(t, brevo.CategoryNormal, a.Category)
}

func TestAttributeCreateAndDelete(t *testing.T) {
	srv := brevotest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	_, err := c.Attributes.Create(ctx, brevo.CreateAttributeRequest{Name: "TIER", Type: brevo.AttributeCategorical,
		Enumeration: []brevo.EnumOption{{Value: 1, Label: "gold"}, {Value: 2, Label: "silver"}}})
	require.NoError(t, err)
	_, err = c.Attributes.Create(ctx, brevo.CreateAttributeRequest{Name: "TIER", Type: brevo.AttributeText})
	assert.Equal(t, brevo.CodeDuplicateParameter, brevo.ErrorCode(err))
	_, err = c.Attributes.Create(ctx, brevo.CreateAttributeRequest{Name: "bad name!", Type: brevo.AttributeText})
	assert.Equal(t, brevo.CodeInvalidParameter, brevo.ErrorCode(err))
	_, err = c.Attributes.Create(ctx, brevo.CreateAttributeRequest{Name: "a/b"})
	assert.ErrorIs(t, err, brevo.ErrInvalidRequest)

	res, err := c.Attributes.Ensure(ctx, []brevo.AttributeSpec{{Name: "TIER", Type: brevo.AttributeCategorical}})
	require.NoError(t, err)
	assert.Equal(t, []string{"TIER"}, res.Existing)
	var tier brevo.Attribute
	for _, a := range srv.Attributes() {
		if a.Name == "TIER" {
			tier = a
		}
	}
	assert.Equal(t, brevo.CategoryCategory, tier.Category)
	assert.Len(t, tier.Enumeration, 2)

	_, err = c.Attributes.Delete(ctx, brevo.CategoryCategory, "TIER")
	require.NoError(t, err)
	_, err = c.Attributes.Delete(ctx, brevo.CategoryCategory, "TIER")
	assert.True(t, brevo.IsNotFound(err))
}
