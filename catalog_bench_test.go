package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	writeTree(&b, n, `{"id":"grp_mobile","name":"Mobile","icon_url":"https://cdn.iimmpact.com/icons/mobile.png",`+
		`"categories":[{"id":"cat_prepaid","name":"Prepaid Reload",`)
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

// writeTree starts a catalog: its tree of one group (opened by group) of
// one category holding products P000000 to n-1, then the opening of the
// products object.
func writeTree(b *bytes.Buffer, n int, group string) {
	b.WriteString(`{"last_updated":"2025-01-07T00:00:00Z","tree":{"groups":[` + group + `"product_codes":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, `"P%06d"`, i)
	}
	b.WriteString(`]}]}]},"products":{`)
}

// formsCatalog renders a catalog of n products whose purchase forms (an
// account field with its validation, an amount select with its options,
// the fulfillment and the pricing rule) come from a pool of forms
// distinct ones, product i having form i % forms: forms == 1 is a catalog
// of one kind of product, forms == n one in which no two products share
// anything but the field ids and words (the worst case for sharing).
// Products are about 700 bytes, the options varying in number (3 to 7)
// and value with the form.
func formsCatalog(n, forms int) []byte {
	var b bytes.Buffer
	b.Grow(n * 760)
	writeTree(&b, n, `{"id":"grp_bills","name":"Bills","icon_url":"https://cdn.iimmpact.com/icons/bills.png",`+
		`"categories":[{"id":"cat_all","name":"All",`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		k := i % forms
		fmt.Fprintf(&b, `"P%06d":{"code":"P%06d","name":"Biller %06d","product_type":"bill",`+
			`"image_url":"https://dashboard.iimmpact.com/img/P%06d.png","processing_time":"instant","fields":[`+
			`{"id":"account","type":"text","label":"Account number (form %d)","required":true,`+
			`"validation":{"pattern":"^[0-9]{%d,%d}$","min_length":%d,"max_length":%d}},`+
			`{"id":"amount","type":"select","label":"Amount","required":true,"options":[`, i, i, i, i, k, 6+k%7, 12+k%5, 6+k%7, 12+k%5)
		for j := range 3 + k%5 {
			if j > 0 {
				b.WriteByte(',')
			}
			v := 5*(j+1) + k%97
			fmt.Fprintf(&b, `{"value":"%d","label":"RM %d.00"}`, v, v)
		}
		fmt.Fprintf(&b, `]}],"fulfillment":{"account":"{{account}}","amount":"{{amount}}","remarks":"form %d"},`+
			`"pricing":{"model":"percentage_discount","discount_rate":%d.%03d}}`, k, k/1000, k%1000)
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
			ID         string `json:"id"`
			Type       string `json:"type"`
			Label      string `json:"label"`
			Required   bool   `json:"required"`
			Validation *struct {
				Pattern   string `json:"pattern"`
				MinLength int    `json:"min_length"`
				MaxLength int    `json:"max_length"`
			} `json:"validation"`
			Options []struct {
				Value string `json:"value"`
				Label string `json:"label"`
			} `json:"options"`
		} `json:"fields"`
		Fulfillment struct {
			Account string            `json:"account"`
			Amount  string            `json:"amount"`
			Remarks string            `json:"remarks"`
			Extras  map[string]string `json:"extras"`
		} `json:"fulfillment"`
		Pricing struct {
			Model        string  `json:"model"`
			DiscountRate float64 `json:"discount_rate"`
		} `json:"pricing"`
	} `json:"products"`
}

// catalogHeapEnv carries "impl products forms" to the child process.
const catalogHeapEnv = "IIMMPACT_CATALOG_HEAP"

// BenchmarkCatalogHeap measures the peak heap a 50,000-product catalog
// takes to fetch and decode, divided by its body size, each in a fresh
// process (see TestCatalogHeapChild): the SDK's Catalog ("sdk") beside a
// plain encoding/json decode of the same response ("baseline"), for a
// catalog of one form, of 500 and of 50,000 (no two products alike; see
// formsCatalog). peak/body is the most heap used while fetching and
// decoding, kept/body what the result holds once it is done; ns/op is the
// whole child process.
func BenchmarkCatalogHeap(b *testing.B) {
	for _, forms := range []int{1, 500, 50_000} {
		for _, impl := range []string{"baseline", "sdk"} {
			b.Run(fmt.Sprintf("forms=%d/impl=%s", forms, impl), func(b *testing.B) {
				var peak, kept float64
				for b.Loop() {
					cmd := exec.Command(os.Args[0], "-test.run=^TestCatalogHeapChild$", "-test.count=1")
					cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s 50000 %d", catalogHeapEnv, impl, forms))
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
	var n, forms int
	if _, err := fmt.Sscan(spec, &impl, &n, &forms); err != nil {
		t.Fatal(err)
	}
	body := formsCatalog(n, forms)
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
		result = plainDecode(t, tr, n)
	}
	top := peak()
	runtime.GC()
	kept := heapObjects()
	runtime.KeepAlive(result)
	fmt.Printf("peak/body=%.2f kept/body=%.2f body=%d\n", float64(top-base)/float64(len(body)),
		float64(kept-base)/float64(len(body)), len(body))
	runtime.KeepAlive(body)
}

// plainDecode is the baseline's fetch and decode, as a careful hand-written
// client makes them when the response has a Content-Length: the body read
// whole into a buffer of that size, then json.Unmarshal (a json.Decoder
// would grow its buffer by doubling instead).
func plainDecode(t *testing.T, tr http.RoundTripper, n int) *plainCatalog {
	resp, err := tr.RoundTrip(&http.Request{})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength < 0 {
		t.Fatal("no Content-Length")
	}
	buf := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	var cat plainCatalog
	if err := json.Unmarshal(buf, &cat); err != nil || len(cat.Products) != n {
		t.Fatal(err, len(cat.Products))
	}
	return &cat
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
