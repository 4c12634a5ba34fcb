package iimmpact_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/iimmpact-go/iimmpact"
)

// A catalog webhook receiver: verify the raw body, then parse it.
func ExampleVerifyCatalogWebhook() {
	secret := "whsec_example" // from RegisterCatalogWebhook, kept in your secret store
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		if err := iimmpact.VerifyCatalogWebhook(body, r.Header.Get(iimmpact.CatalogWebhookSignatureHeader), secret); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		ev, err := iimmpact.ParseCatalogEvent(body)
		if err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		fmt.Println("event", ev.Type, ev.ID)
	})

	body := `{"type":"product.updated","resource":"products","id":"CELCOM10","timestamp":"2024-01-15T10:30:00.000Z","data":{"is_active":true}}`
	for _, sig := range []string{iimmpact.SignCatalogWebhook([]byte(body), secret), "sha256=" + strings.Repeat("0", 64)} {
		req := httptest.NewRequest(http.MethodPost, "/iimmpact/catalog-webhook", strings.NewReader(body))
		req.Header.Set(iimmpact.CatalogWebhookSignatureHeader, sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// event product.updated CELCOM10
	// 200
	// 401
}

func ExampleSignCatalogWebhook() {
	// Build a signed event for your own handler's tests.
	body := []byte(`{"type":"group.deleted","resource":"groups","id":"grp_mobile","timestamp":"2024-01-15T10:30:00Z","data":null}`)
	sig := iimmpact.SignCatalogWebhook(body, "whsec_test")
	fmt.Println(iimmpact.VerifyCatalogWebhook(body, sig, "whsec_test"))
	err := iimmpact.VerifyCatalogWebhook(body, sig, "whsec_other")
	fmt.Println(errors.Is(err, iimmpact.ErrCatalogWebhookSignatureMismatch))
	// Output:
	// <nil>
	// true
}

func ExampleParseCatalogEvent() {
	ev, err := iimmpact.ParseCatalogEvent([]byte(`{"type":"option.deleted","resource":"options","id":"HI_UNL_30_3M",
		"timestamp":"2024-01-15T10:30:00.000Z","data":null}`))
	if err != nil {
		panic(err)
	}
	switch {
	case ev.Type.Deleted():
		fmt.Println("remove", ev.Resource, ev.ID, "at", ev.Timestamp.Format("2006-01-02 15:04:05 MST"))
	case ev.Type.Known():
		fmt.Println("upsert", ev.Resource, ev.ID, string(ev.Data))
	default:
		fmt.Println("ignore unknown event", ev.Type)
	}
	// Output: remove options HI_UNL_30_3M at 2024-01-15 18:30:00 MYT
}
