package iimmpact

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// CatalogCache keeps the product catalog in memory for many concurrent
// readers. It is filled by Refresh (which swaps in a fetched catalog only
// when its last_updated moved forward), kept current by catalog webhook
// events through Apply or WebhookHandler, and rebuilt by Resync after
// delivery was re-enabled: IIMMPACT does not queue events while delivery
// is disabled, so what changed meanwhile is only in a fresh fetch.
//
// Readers get immutable snapshots: never modify what Catalog or Product
// return. Writers are serialised; a reader never waits for the network.
type CatalogCache struct {
	client *Client
	wmu    sync.Mutex              // serialises writers
	cur    atomic.Pointer[Catalog] // the snapshot readers see
	seen   map[string]time.Time    // resource/id -> newest event applied; guarded by wmu
}

// NewCatalogCache returns an empty cache that fetches through client.
// Call Refresh (or Resync) before reading.
func NewCatalogCache(client *Client) (*CatalogCache, error) {
	if client == nil {
		return nil, errors.New("iimmpact: NewCatalogCache needs a client")
	}
	return &CatalogCache{client: client, seen: map[string]time.Time{}}, nil
}

// Catalog returns the current snapshot, or nil before the first fetch.
func (cc *CatalogCache) Catalog() *Catalog { return cc.cur.Load() }

// Product returns one product of the current snapshot.
func (cc *CatalogCache) Product(code string) (CatalogProduct, bool) {
	c := cc.cur.Load()
	if c == nil {
		return CatalogProduct{}, false
	}
	p, ok := c.Products[code]
	return p, ok
}

// Refresh fetches the catalog and swaps it in if it is the first, or its
// last_updated is later than the snapshot's (which events also advance).
// It reports whether the snapshot changed. An older or equal catalog (a
// lagging replica, or one that events already brought the cache past) is
// ignored.
func (cc *CatalogCache) Refresh(ctx context.Context) (bool, error) {
	return cc.fetch(ctx, false)
}

// Resync fetches the catalog and swaps it in unconditionally, forgetting
// every event seen. Call it after turning catalog webhook delivery back on,
// or when events may have been lost.
func (cc *CatalogCache) Resync(ctx context.Context) error {
	_, err := cc.fetch(ctx, true)
	return err
}

func (cc *CatalogCache) fetch(ctx context.Context, force bool) (bool, error) {
	cc.wmu.Lock()
	defer cc.wmu.Unlock()
	c, err := cc.client.Catalog(ctx, CatalogQuery{})
	if err != nil {
		return false, err
	}
	old := cc.cur.Load()
	if !force && old != nil && !c.LastUpdated.After(old.LastUpdated) {
		return false, nil
	}
	if force {
		cc.seen = map[string]time.Time{}
	}
	cc.cur.Store(c)
	return true, nil
}

// Apply brings the cache up to date with one verified catalog event:
// product.deleted removes the product; product.created and
// product.updated fetch that product (events carry no form or pricing)
// and upsert it, or remove it if the catalog no longer lists it;
// category and group events refetch the whole catalog, since the tree
// changed; option events change nothing cached. An event older than one
// already applied to the same resource (a retried delivery arriving late)
// is ignored. An error means the cache could not follow: answer the
// webhook with a 5xx so IIMMPACT retries.
func (cc *CatalogCache) Apply(ctx context.Context, ev *CatalogEvent) error {
	cc.wmu.Lock()
	defer cc.wmu.Unlock()
	key := ev.Resource + "/" + ev.ID
	if last, ok := cc.seen[key]; ok && !ev.Timestamp.IsZero() && ev.Timestamp.Before(last) {
		return nil
	}
	var err error
	switch t := ev.Type; {
	case t == CatalogProductDeleted:
		cc.swap(ev, nil)
	case t == CatalogProductCreated || t == CatalogProductUpdated:
		err = cc.upsert(ctx, ev)
	case t.Known() && (ev.Resource == "categories" || ev.Resource == "groups"):
		var c *Catalog
		if c, err = cc.client.Catalog(ctx, CatalogQuery{}); err == nil {
			cc.cur.Store(c)
		}
	}
	if err == nil && !ev.Timestamp.IsZero() {
		cc.seen[key] = ev.Timestamp
	}
	return err
}

func (cc *CatalogCache) upsert(ctx context.Context, ev *CatalogEvent) error {
	if _, err := ev.Product(); err != nil {
		return err
	}
	c, err := cc.client.Catalog(ctx, CatalogQuery{ProductCode: ev.ID})
	if err != nil {
		return fmt.Errorf("iimmpact: catalog cache: fetch %s: %w", ev.ID, err)
	}
	p, ok := c.Products[ev.ID]
	if !ok {
		cc.swap(ev, nil)
		return nil
	}
	cc.swap(ev, &p)
	return nil
}

// swap stores a copy of the snapshot with the event's product set to p, or
// removed (also from the tree) when p is nil, and last_updated advanced to
// the event's.
func (cc *CatalogCache) swap(ev *CatalogEvent, p *CatalogProduct) {
	code := ev.ID
	old := cc.cur.Load()
	next := &Catalog{Products: map[string]CatalogProduct{}}
	if old != nil {
		next.LastUpdated, next.Groups, next.Products = old.LastUpdated, old.Groups, maps.Clone(old.Products)
	}
	if p != nil {
		next.Products[code] = *p
	} else {
		delete(next.Products, code)
		next.Groups = withoutProduct(next.Groups, code)
	}
	if ev.Timestamp.After(next.LastUpdated) {
		next.LastUpdated = ev.Timestamp
	}
	cc.cur.Store(next)
}

// withoutProduct copies the tree with code dropped from every category.
func withoutProduct(groups []CatalogGroup, code string) []CatalogGroup {
	out := slices.Clone(groups)
	for i := range out {
		cats := slices.Clone(out[i].Categories)
		for j := range cats {
			cats[j].ProductCodes = slices.DeleteFunc(slices.Clone(cats[j].ProductCodes), func(c string) bool { return c == code })
		}
		out[i].Categories = cats
	}
	return out
}

// maxCatalogEventBody caps a catalog event read by WebhookHandler.
const maxCatalogEventBody = 1 << 20

// WebhookHandler returns an http.Handler for IIMMPACT's catalog webhook:
// it verifies X-Webhook-Signature with secret, parses the event, applies
// it, and answers 200. A bad signature answers 401 and a malformed event
// 400 (retrying cannot help); a failure to apply answers 503 so
// the delivery is retried.
func (cc *CatalogCache) WebhookHandler(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCatalogEventBody))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := VerifyCatalogWebhook(body, r.Header.Get(CatalogWebhookSignatureHeader), secret); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		ev, err := ParseCatalogEvent(body)
		if err != nil {
			http.Error(w, "invalid event", http.StatusBadRequest)
			return
		}
		if err := cc.Apply(r.Context(), ev); errors.Is(err, ErrInvalidCatalogEvent) {
			http.Error(w, "invalid event", http.StatusBadRequest)
			return
		} else if err != nil {
			http.Error(w, "could not apply the event; retry", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
