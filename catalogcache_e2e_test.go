package iimmpact_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cacheFixture starts a fake whose catalog events go to a CatalogCache's
// webhook handler over TLS, and fills the cache.
func cacheFixture(t *testing.T) (*iimmpacttest.Server, *iimmpact.Client, *iimmpact.CatalogCache) {
	var handler atomic.Pointer[http.Handler] // set once the secret is known
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(hook.Close)
	srv := iimmpacttest.NewServer(iimmpacttest.WithCatalogEventClient(hook.Client()),
		iimmpacttest.WithCatalogEventPolicy(5, time.Millisecond, 5*time.Second),
		iimmpacttest.WithCatalogRateLimit("/v2/catalog", 0, 0))
	t.Cleanup(srv.Close)
	client := srv.Client()
	cache, err := iimmpact.NewCatalogCache(client)
	require.NoError(t, err)
	secret, err := client.RegisterCatalogWebhook(context.Background(), hook.URL+"/catalog")
	require.NoError(t, err)
	h := cache.WebhookHandler(string(secret.Secret))
	handler.Store(&h)
	changed, err := cache.Refresh(context.Background())
	require.NoError(t, err)
	require.True(t, changed)
	return srv, client, cache
}

func TestE2ECatalogCacheFollowsEvents(t *testing.T) {
	srv, _, cache := cacheFixture(t)
	ctx := context.Background()
	_, ok := cache.Product("C")
	require.True(t, ok)

	srv.SetProductActive("C", false)
	require.NoError(t, srv.WaitCatalogEvents(ctx))
	_, ok = cache.Product("C")
	assert.False(t, ok, "product.deleted removes it")
	for _, g := range cache.Catalog().Groups {
		for _, c := range g.Categories {
			assert.NotContains(t, c.ProductCodes, "C", "and from the tree")
		}
	}

	srv.SetProductDisplayName("D", "Digi Prepaid Reload")
	srv.SetProductActive("C", true)
	require.NoError(t, srv.WaitCatalogEvents(ctx))
	d, _ := cache.Product("D")
	assert.Equal(t, "Digi Prepaid Reload", d.Name, "product.updated refetches the product")
	require.NotEmpty(t, d.Fields, "with its form, which events do not carry")
	_, ok = cache.Product("C")
	assert.True(t, ok, "reactivated")
	for _, a := range srv.CatalogEvents() {
		assert.Equal(t, 200, a.HTTPStatus, "%s %s", a.Type, a.ID)
	}

	changed, err := cache.Refresh(ctx)
	require.NoError(t, err)
	assert.False(t, changed, "the events already brought the cache to this last_updated")
}

func TestE2ECatalogCacheResyncAfterDeliveryWasOff(t *testing.T) {
	srv, client, cache := cacheFixture(t)
	ctx := context.Background()
	_, err := client.SetCatalogWebhookEnabled(ctx, false)
	require.NoError(t, err)
	srv.SetProductActive("M", false) // no event: delivery is off, and IIMMPACT does not queue
	_, err = client.SetCatalogWebhookEnabled(ctx, true)
	require.NoError(t, err)
	require.NoError(t, srv.WaitCatalogEvents(ctx))
	_, ok := cache.Product("M")
	require.True(t, ok, "the cache missed the change")
	require.NoError(t, cache.Resync(ctx))
	_, ok = cache.Product("M")
	assert.False(t, ok, "Resync caught up")
}

func TestCatalogCacheConcurrentReaders(t *testing.T) {
	srv, _, cache := cacheFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var reads atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if p, ok := cache.Product("D"); ok && p.Code != "D" {
					t.Error("torn read")
				}
				for _, g := range cache.Catalog().Groups {
					_ = len(g.Categories)
				}
				reads.Add(1)
			}
		}()
	}
	for i := range 6 {
		srv.SetProductActive("GC", i%2 == 1)
		require.NoError(t, srv.WaitCatalogEvents(context.Background()))
	}
	cancel()
	wg.Wait()
	assert.Positive(t, reads.Load())
	_, ok := cache.Product("GC")
	assert.True(t, ok, "the last change reactivated GC")
}

func TestCatalogCacheWebhookHandlerRefusals(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	cache, err := iimmpact.NewCatalogCache(srv.Client())
	require.NoError(t, err)
	h := cache.WebhookHandler("s3cret")
	body := []byte(`{"type":"product.deleted","resource":"products","id":"D","timestamp":"2025-01-07T00:00:00Z","data":null}`)
	for _, tc := range []struct {
		method, sig string
		body        []byte
		want        int
	}{
		{"GET", "", nil, 405},
		{"POST", "sha256=00", body, 401},
		{"POST", iimmpact.SignCatalogWebhook([]byte(`{}`), "s3cret"), []byte(`{}`), 400},
		{"POST", iimmpact.SignCatalogWebhook([]byte(`{"type":"product.updated","id":"D","data":{"product_code":"X"}}`), "s3cret"),
			[]byte(`{"type":"product.updated","id":"D","data":{"product_code":"X"}}`), 400},
		{"POST", iimmpact.SignCatalogWebhook(body, "s3cret"), body, 200},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(tc.method, "/", bytes.NewReader(tc.body))
		req.Header.Set(iimmpact.CatalogWebhookSignatureHeader, tc.sig)
		h.ServeHTTP(rec, req)
		assert.Equal(t, tc.want, rec.Code, "%s %s", tc.method, tc.body)
	}
	_, err = iimmpact.NewCatalogCache(nil)
	assert.Error(t, err)
}
