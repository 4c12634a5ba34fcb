package iimmpact_test

import (
	"net/http"
	"net/http/httptest"

	"github.com/iimmpact-go/iimmpact"
)

// stub stands in for api.iimmpact.com in the examples: it answers
// "METHOD /path" with a fixed body (the spec's examples) and anything else
// with 404. Real code calls iimmpact.New with its own key and secret.
func stub(routes map[string]string) (*iimmpact.Client, func()) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := routes[r.Method+" "+r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	client, err := iimmpact.New("iimm_dev_example", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", iimmpact.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	return client, srv.Close
}
