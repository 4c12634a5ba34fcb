package iimmpact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtrasMarshalsDocumentedAndOtherKeys(t *testing.T) {
	t.Parallel()
	e := Extras{BillerCode: "5454", ICNumber: "900101015555", Other: map[string]string{"zone": "A", "blank": ""}}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Equal(t, `{"biller_code":"5454","ic_number":"900101015555","zone":"A"}`, string(b))
	b, err = json.Marshal(Extras{})
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(b))

	_, err = json.Marshal(Extras{Other: map[string]string{"ic_number": "x"}})
	assert.ErrorIs(t, err, ErrInvalidRequest, "a documented key belongs in its field")

	var x Extras
	x.Set("ref2", "R2")
	x.Set("meter", "M1")
	assert.Equal(t, "R2", x.Ref2)
	assert.Equal(t, "M1", x.Get("meter"))
	assert.Equal(t, "", (*Extras)(nil).Get("ref2"))
}

func TestExtrasStringHidesICAndOtherValues(t *testing.T) {
	t.Parallel()
	e := Extras{ICNumber: "900101015555", Other: map[string]string{"passport": "A1234567"}}
	for _, s := range []string{e.String(), fmt.Sprintf("%v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%+v", TopupRequest{Extras: &e})} {
		assert.NotContains(t, s, "900101015555")
		assert.NotContains(t, s, "A1234567")
	}
	assert.Contains(t, e.String(), "passport", "keys are shown")
}

func TestValidateRefusesMissingMandatoryExtras(t *testing.T) {
	t.Parallel()
	base := TopupRequest{RefID: "r-1", Account: "12345678", Amount: MustParseAmount("50")}
	for _, tc := range []struct {
		product string
		extras  *Extras
		missing []string
	}{
		{"JOMPAY", nil, []string{"biller_code", "ic_number"}},
		{"JOMPAY", &Extras{BillerCode: "5454"}, []string{"ic_number"}},
		{"jompay", &Extras{ICNumber: "900101015555"}, []string{"biller_code"}},
		{"PTPTN", &Extras{ICNumber: "900101015555"}, []string{"subproduct_code"}},
		{"PTPTN", nil, []string{"subproduct_code", "ic_number"}},
	} {
		req := base
		req.Product, req.Extras = tc.product, tc.extras
		err := req.Validate()
		var me *MissingExtrasError
		require.ErrorAs(t, err, &me, tc.product)
		assert.Equal(t, tc.missing, me.Keys)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		assert.NotContains(t, err.Error(), "900101015555")
	}
	ok := base
	ok.Product, ok.Extras = "JOMPAY", &Extras{BillerCode: "5454", ICNumber: "900101015555"}
	assert.NoError(t, ok.Validate())
	ok.Product, ok.Extras = "D", nil
	assert.NoError(t, ok.Validate(), "other products need no extras")
}

func TestTopupWithoutMandatoryExtrasSendsNothing(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	_, err := c.Topup(context.Background(), TopupRequest{RefID: "r-2", Product: "JOMPAY", Account: "12345678",
		Amount: MustParseAmount("10"), Extras: &Extras{ICNumber: "900101015555"}})
	var me *MissingExtrasError
	require.True(t, errors.As(err, &me))
	assert.Equal(t, 0, mock.GetTotalCallCount())
}

func TestExtrasJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := Extras{SubproductCode: "S1", ICNumber: "900101015555", BillerCode: "5454", Ref2: "R2",
		Other: map[string]string{"plan_id": "P7"}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	var out Extras
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out, "every key survives a round trip through JSON")

	req := TopupRequest{RefID: "r", Product: "JOMPAY", Account: "1", Amount: MustParseAmount("1"), Extras: &in}
	b, err = json.Marshal(req)
	require.NoError(t, err)
	var back struct {
		Extras *Extras `json:"extras"`
	}
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, in, *back.Extras)

	assert.Error(t, json.Unmarshal([]byte(`{"ic_number":9001}`), &out), "extras values are strings")
}
