package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigCatalog renders a catalog of n products shaped like the spec's "D"
// (about 350 bytes each), all in one category.
func bigCatalog(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 380)
	b.WriteString(`{"last_updated":"2025-01-07T00:00:00Z","tree":{"groups":[{"id":"grp_mobile","name":"Mobile",` +
		`"icon_url":"https://cdn.iimmpact.com/icons/mobile.png","categories":[{"id":"cat_prepaid","name":"Prepaid Reload","product_codes":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"P%06d"`, i)
	}
	b.WriteString(`]}]}]},"products":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"P%06d":{"code":"P%06d","name":"Digi Prepaid %06d","product_type":"standard",`+
			`"image_url":"https://dashboard.iimmpact.com/img/P%06d.png","processing_time":"instant",`+
			`"fields":[{"id":"account","type":"tel"},{"id":"amount","type":"select"}],`+
			`"fulfillment":{"account":"account","amount":"amount"},`+
			`"pricing":{"model":"percentage_discount","discount_rate":1.5}}`, i, i, i, i)
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

// plainCatalog is what a hand-written client decodes the catalog into.
type plainCatalog struct {
	LastUpdated string `json:"last_updated"`
	Tree        struct {
		Groups []struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			IconURL    string `json:"icon_url"`
			Categories []struct {
				ID           string   `json:"id"`
				Name         string   `json:"name"`
				ProductCodes []string `json:"product_codes"`
			} `json:"categories"`
		} `json:"groups"`
	} `json:"tree"`
	Products map[string]struct {
		Code           string `json:"code"`
		Name           string `json:"name"`
		ProductType    string `json:"product_type"`
		ImageURL       string `json:"image_url"`
		ProcessingTime string `json:"processing_time"`
		Fields         []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"fields"`
		Fulfillment map[string]string `json:"fulfillment"`
		Pricing     struct {
			Model        string  `json:"model"`
			DiscountRate float64 `json:"discount_rate"`
		} `json:"pricing"`
	} `json:"products"`
}

// catalogHeapEnv carries "impl products" to the child process.
const catalogHeapEnv = "IIMMPACT_CATALOG_HEAP"

// BenchmarkCatalogHeap measures the peak heap a 50,000-product catalog
// takes to fetch and decode, divided by its body size, each in a fresh
// process (see TestCatalogHeapChild): the SDK's Catalog ("sdk") beside a
// plain encoding/json decode of the same response ("baseline"). peak/body
// is the most heap used while fetching and decoding, kept/body what the
// result holds once it is done; ns/op is the whole child process.
func BenchmarkCatalogHeap(b *testing.B) {
	for _, impl := range []string{"baseline", "sdk"} {
		b.Run("impl="+impl, func(b *testing.B) {
			var peak, kept float64
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^TestCatalogHeapChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), catalogHeapEnv+"="+impl+" 50000")
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("%v\n%s", err, out)
				}
				if peak, kept, err = parseHeapRatios(string(out)); err != nil {
					b.Fatalf("%v in\n%s", err, out)
				}
			}
			b.ReportMetric(peak, "peak/body")
			b.ReportMetric(kept, "kept/body")
		})
	}
}

// TestCatalogHeapChild is BenchmarkCatalogHeap's clean process; it does
// nothing unless IIMMPACT_CATALOG_HEAP is set. The body is built first, as
// the server's copy; the peak is the most heap the fetch and decode used
// above that, sampled every 50 µs with the collector at GOGC=10, so the
// heap stays within a tenth of what is live.
func TestCatalogHeapChild(t *testing.T) {
	spec := os.Getenv(catalogHeapEnv)
	if spec == "" {
		t.Skip("run by BenchmarkCatalogHeap")
	}
	var impl string
	var n int
	if _, err := fmt.Sscan(spec, &impl, &n); err != nil {
		t.Fatal(err)
	}
	body := bigCatalog(n)
	tr := memTransport{body}
	debug.SetGCPercent(10)
	runtime.GC()
	base := heapObjects()
	peak := sampleHeap()
	var result any
	switch impl {
	case "sdk":
		c, err := New(testKey, testSecret, WithHTTPClient(&http.Client{Transport: tr}), WithBaseURL("http://127.0.0.1:1"), WithRateLimit(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		cat, err := c.Catalog(context.Background(), CatalogQuery{})
		if err != nil || len(cat.Products) != n {
			t.Fatal(err)
		}
		result = cat
	case "baseline":
		resp, _ := tr.RoundTrip(&http.Request{})
		var cat plainCatalog
		err := json.NewDecoder(resp.Body).Decode(&cat)
		if err != nil || len(cat.Products) != n {
			t.Fatal(err)
		}
		result = &cat
	}
	top := peak()
	runtime.GC()
	kept := heapObjects()
	runtime.KeepAlive(result)
	fmt.Printf("peak/body=%.2f kept/body=%.2f body=%d\n", float64(top-base)/float64(len(body)),
		float64(kept-base)/float64(len(body)), len(body))
	runtime.KeepAlive(body)
}

// parseHeapRatios reads the child's "peak/body=P kept/body=K" line.
func parseHeapRatios(out string) (peak, kept float64, err error) {
	_, line, ok := strings.Cut(out, "peak/body=")
	if !ok {
		return 0, 0, fmt.Errorf("no measurement")
	}
	_, err = fmt.Sscanf(line, "%g kept/body=%g", &peak, &kept)
	return peak, kept, err
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap samples the heap until the returned func is called, which
// returns the largest sample.
func sampleHeap() func() uint64 {
	var max, stop atomic.Uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for stop.Load() == 0 {
			if h := heapObjects(); h > max.Load() {
				max.Store(h)
			}
			time.Sleep(50 * time.Microsecond)
		}
	}()
	return func() uint64 {
		if h := heapObjects(); h > max.Load() {
			max.Store(h)
		}
		stop.Store(1)
		<-done
		return max.Load()
	}
}

// A catalog of 100,000 products (about 37 MB) decodes: the bound on the
// catalog's body leaves room for it, where the general bound (and the old
// 32 MiB one) would refuse it. Skipped with -short and under the race
// detector, which makes it slow; plain go test runs it.
func TestCatalogOf100000Products(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("decodes 37 MB")
	}
	body := bigCatalog(100_000)
	require.Greater(t, len(body), maxResponseBody, "the general bound would refuse it")
	c, err := New(testKey, testSecret, WithHTTPClient(&http.Client{Transport: memTransport{body}}),
		WithBaseURL("http://127.0.0.1:1"), WithRateLimit(0, 0))
	require.NoError(t, err)
	cat, err := c.Catalog(context.Background(), CatalogQuery{})
	require.NoError(t, err)
	assert.Len(t, cat.Products, 100_000)
	assert.Equal(t, "Digi Prepaid 099999", cat.Products["P099999"].Name)
	assert.Len(t, cat.Groups[0].Categories[0].ProductCodes, 100_000)
}
