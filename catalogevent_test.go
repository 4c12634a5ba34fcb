package iimmpact

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCatalogEventFixtures(t *testing.T) {
	t.Parallel()
	e, err := ParseCatalogEvent(fixture(t, "catalog_event_spec.json"))
	require.NoError(t, err)
	assert.Equal(t, CatalogProductUpdated, e.Type)
	assert.Equal(t, "products", e.Resource)
	assert.Equal(t, "CELCOM10", e.ID)
	assert.True(t, e.Timestamp.Equal(time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)))
	_, off := e.Timestamp.Zone()
	assert.Equal(t, 8*3600, off)
	assert.JSONEq(t, string(mustField(t, fixture(t, "catalog_event_spec.json"), "data")), string(e.Data))
	assert.True(t, e.Type.Known())
	assert.False(t, e.Type.Deleted())

	e, err = ParseCatalogEvent(fixture(t, "catalog_event_deleted_spec.json"))
	require.NoError(t, err)
	assert.Equal(t, CatalogEvent{Type: CatalogOptionDeleted, Resource: "options", ID: "HI_UNL_30_3M",
		Timestamp: time.Date(2024, 1, 15, 18, 31, 12, 250e6, time.FixedZone("MYT", 8*3600))}, *e)
	assert.True(t, e.Timestamp.Equal(time.Date(2024, 1, 15, 10, 31, 12, 250e6, time.UTC)))
	assert.Nil(t, e.Data, "data is null on *.deleted")
	assert.True(t, e.Type.Deleted())
}

func TestCatalogEventTypes(t *testing.T) {
	t.Parallel()
	all := []CatalogEventType{CatalogProductCreated, CatalogProductUpdated, CatalogProductDeleted, CatalogOptionCreated,
		CatalogOptionUpdated, CatalogOptionDeleted, CatalogCategoryCreated, CatalogCategoryUpdated, CatalogCategoryDeleted,
		CatalogGroupCreated, CatalogGroupUpdated, CatalogGroupDeleted}
	seen := map[CatalogEventType]bool{}
	for _, ty := range all {
		assert.True(t, ty.Known(), ty)
		seen[ty] = true
	}
	assert.Len(t, seen, 12)
	for _, ty := range []CatalogEventType{"", "product", "product.archived", "voucher.created", ".created", "product.created.x"} {
		assert.False(t, ty.Known(), ty)
	}
	e, err := ParseCatalogEvent([]byte(`{"type":"voucher.created","id":"V1","data":{}}`))
	require.NoError(t, err, "an unknown type is passed through")
	assert.False(t, e.Type.Known())
	assert.True(t, e.Timestamp.IsZero())
}

func TestParseCatalogEventRejects(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		``, `null`, `[]`, `"x"`, `{`, `{}`,
		`{"type":"product.updated"}`,
		`{"id":"D"}`,
		`{"type":"","id":"D"}`,
		`{"type":"product.updated","id":""}`,
		`{"type":"product.updated","id":null}`,
		`{"type":7,"id":"D"}`,
		`{"type":"product.updated","id":"D","timestamp":"15-01-2024 10:30:00"}`,
		`{"type":"product.updated","id":"D","timestamp":1705314600}`,
		`{"type":"product.updated","id":"D","data":"CELCOM10"}`,
		`{"type":"product.updated","id":"D","data":[1]}`,
		`{"type":"product.updated","id":"D","resource":{}}`,
	} {
		_, err := ParseCatalogEvent([]byte(body))
		assert.ErrorIs(t, err, ErrInvalidCatalogEvent, body)
	}
}

func TestVerifyCatalogWebhook(t *testing.T) {
	t.Parallel()
	body := fixture(t, "catalog_event_spec.json")
	const secret = "whsec_test_secret"
	good := SignCatalogWebhook(body, secret)
	require.True(t, strings.HasPrefix(good, "sha256="))
	require.Len(t, good, 7+64)
	// An independent known answer: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
	assert.Equal(t, "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
		SignCatalogWebhook([]byte("The quick brown fox jumps over the lazy dog"), "key"))

	for _, tc := range []struct {
		name, header, secret string
		body                 []byte
		want                 error
	}{
		{"valid", good, secret, body, nil},
		{"upper-case hex", "sha256=" + strings.ToUpper(good[7:]), secret, body, nil},
		{"surrounding space", " " + good + " ", secret, body, nil},
		{"missing", "", secret, body, ErrCatalogWebhookNoSignature},
		{"blank", "   ", secret, body, ErrCatalogWebhookNoSignature},
		{"no prefix", good[7:], secret, body, ErrCatalogWebhookSignatureFormat},
		{"other algorithm", "sha1=" + good[7:], secret, body, ErrCatalogWebhookSignatureFormat},
		{"base64", "sha256=" + "9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9/9A=", secret, body, ErrCatalogWebhookSignatureFormat},
		{"short", good[:len(good)-2], secret, body, ErrCatalogWebhookSignatureFormat},
		{"not hex", good[:len(good)-1] + "g", secret, body, ErrCatalogWebhookSignatureFormat},
		{"two signatures", good + "," + good, secret, body, ErrCatalogWebhookSignatureFormat},
		{"wrong secret", good, "whsec_other", body, ErrCatalogWebhookSignatureMismatch},
		{"body changed", good, secret, bytes.Replace(body, []byte("true"), []byte("false"), 1), ErrCatalogWebhookSignatureMismatch},
		{"body re-encoded", good, secret, bytes.ReplaceAll(body, []byte("\n"), nil), ErrCatalogWebhookSignatureMismatch},
		{"one bit", good[:len(good)-1] + string(good[len(good)-1]^1), secret, body, ErrCatalogWebhookSignatureMismatch},
	} {
		err := VerifyCatalogWebhook(tc.body, tc.header, tc.secret)
		if tc.want == nil {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorIs(t, err, tc.want, tc.name)
		}
	}
	err := VerifyCatalogWebhook(body, SignCatalogWebhook(body, ""), "")
	assert.Error(t, err, "an empty secret proves nothing")
	assert.NotContains(t, err.Error(), secret)
}

func FuzzParseCatalogEvent(f *testing.F) {
	f.Add(fixture(f, "catalog_event_spec.json"))
	f.Add(fixture(f, "catalog_event_deleted_spec.json"))
	f.Add([]byte(`{"type":"x","id":1,"timestamp":"","data":null}`))
	f.Add([]byte(`{"type":"group.created","id":"g","timestamp":"2024-01-15T10:30:00+08:00","data":{"a":[1,2]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ParseCatalogEvent(body)
		if err != nil {
			if e != nil {
				t.Fatal("an event with an error")
			}
			return
		}
		if e.Type == "" || e.ID == "" {
			t.Fatalf("accepted an event without type or id: %q", body)
		}
		if e.Data != nil && e.Data[0] != '{' {
			t.Fatalf("data that is not an object: %q", e.Data)
		}
		if !e.Timestamp.IsZero() {
			if _, off := e.Timestamp.Zone(); off != 8*3600 {
				t.Fatalf("timestamp not in GMT+8: %v", e.Timestamp)
			}
		}
	})
}

func FuzzVerifyCatalogWebhook(f *testing.F) {
	f.Add(fixture(f, "catalog_event_spec.json"), "whsec_test_secret", "sha256=00")
	f.Add([]byte{}, "k", "")
	f.Add([]byte("x"), "k", "SHA256="+strings.Repeat("a", 64))
	f.Fuzz(func(t *testing.T, body []byte, secret, header string) {
		err := VerifyCatalogWebhook(body, header, secret) // must not panic on anything
		sig := SignCatalogWebhook(body, secret)
		if secret == "" {
			if err == nil || VerifyCatalogWebhook(body, sig, secret) == nil {
				t.Fatal("accepted with an empty secret")
			}
			return
		}
		if e := VerifyCatalogWebhook(body, sig, secret); e != nil {
			t.Fatalf("rejected its own signature: %v", e)
		}
		// Accepts exactly what it signs: any accepted header is the signature,
		// up to the prefix's and hex digits' case and surrounding space.
		if err == nil && !strings.EqualFold(strings.TrimSpace(header), sig) {
			t.Fatalf("accepted %q, signed %q", header, sig)
		}
	})
}
