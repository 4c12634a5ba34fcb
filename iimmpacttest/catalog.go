package iimmpacttest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The catalog endpoints describe the fake's fixed catalogue (products.go).
// A product with fixed denominations has one select field, "amount",
// whose options are its denominations; an open-amount bill has none.

const (
	maxOptionsLimit     = 1000
	defaultOptionsLimit = 100
	// catalogUpdated is the catalog's last_updated until the catalogue first
	// changes at run time (SetProductActive): the spec's example instant.
	catalogUpdated = "2025-01-07T00:00:00Z"
)

// moneyObject is IIMMPACT's catalog money: the amount as a string.
type moneyObject struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func myr(m money) *moneyObject { return &moneyObject{Amount: m.fixed2(), Currency: "MYR"} }

// fixed2 writes sen ("40.00"), or all four places when there are more.
func (m money) fixed2() string {
	s := m.fixed4()
	if strings.HasSuffix(s, "00") {
		return s[:len(s)-2]
	}
	return s
}

type optionItem struct {
	Code          string       `json:"code"`
	Label         string       `json:"label"`
	Description   string       `json:"description"`
	Price         *moneyObject `json:"price,omitempty"`
	Cost          *moneyObject `json:"cost,omitempty"`
	Validity      string       `json:"validity,omitempty"`
	AccountNumber string       `json:"account_number,omitempty"`
}

func optionCode(p *product, d money) string { return p.listing.ProductCode + "_" + d.String() }

// pageParams reads limit (or its alias per_page) and page.
func pageParams(q url.Values, def, maxLimit int) (limit, page int, ok bool) {
	limit, page = def, 1
	raw := q.Get("limit")
	if raw == "" {
		raw = q.Get("per_page")
	}
	var err error
	if raw != "" {
		if limit, err = strconv.Atoi(raw); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, false
		}
	}
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, false
		}
	}
	return limit, page, true
}

// window returns the [from, to) indexes of page in n items.
func window(n, limit, page int) (from, to, last int) {
	last = max(1, (n+limit-1)/limit)
	from = min(n, (page-1)*limit)
	return from, min(n, from+limit), last
}

// handleOptions answers GET /v2/options?product_code=&field_id=.
func (s *Server) handleOptions(req *request) response {
	q := req.http.URL.Query()
	code, field := q.Get("product_code"), q.Get("field_id")
	if code == "" || field == "" {
		return errorResponse(http.StatusBadRequest, "invalid_parameter", "product_code and field_id are required")
	}
	p := s.products[code]
	if p == nil {
		return errorResponse(http.StatusBadRequest, "invalid_product", "Unknown product "+code)
	}
	all, fail := optionItemsFor(p, field, q.Get("account_number"))
	if fail != nil {
		return *fail
	}
	limit, page, ok := pageParams(q, defaultOptionsLimit, maxOptionsLimit)
	if !ok {
		return errorResponse(http.StatusBadRequest, "invalid_parameter", "limit must be 1 to 1000 and page at least 1")
	}
	from, to, last := window(len(all), limit, page)
	items := append([]optionItem{}, all[from:to]...)
	type pageMeta struct {
		CurrentPage int `json:"current_page"`
		LastPage    int `json:"last_page"`
		PerPage     int `json:"per_page"`
		Total       int `json:"total"`
	}
	return jsonResponse(http.StatusOK, struct {
		ProductCode string       `json:"product_code"`
		FieldID     string       `json:"field_id"`
		Items       []optionItem `json:"items"`
		Meta        pageMeta     `json:"meta"`
	}{code, field, items, pageMeta{page, last, limit, len(all)}})
}

type subproduct struct {
	Code          string  `json:"subproduct_code"`
	DisplayName   string  `json:"display_name"`
	Denomination  *money  `json:"denomination"`
	FaceValue     *money  `json:"face_value"`
	Validity      *string `json:"validity"`
	Description   string  `json:"description"`
	AccountNumber *string `json:"account_number"`
	Min           string  `json:"min"`
	Max           string  `json:"max"`
}

// handleSubproducts answers the legacy GET /v2/subproducts?product_code=.
// With limit it pages, and links.next carries the next page's path.
func (s *Server) handleSubproducts(req *request) response {
	q := req.http.URL.Query()
	code := q.Get("product_code")
	p := s.products[code]
	if p == nil {
		return errorResponse(http.StatusBadRequest, "invalid_product", "Unknown product_code "+code)
	}
	all, fail := subproductsFor(p, q.Get("account_number"))
	if fail != nil {
		return *fail
	}
	limit, page, ok := pageParams(q, len(all), maxOptionsLimit)
	if !ok {
		return errorResponse(http.StatusBadRequest, "invalid_parameter", "limit must be 1 to 1000 and page at least 1")
	}
	from, to, last := window(len(all), limit, page)
	var next *string
	if page < last {
		n := "/v2/subproducts?" + url.Values{"product_code": {code}, "limit": {strconv.Itoa(limit)}, "page": {strconv.Itoa(page + 1)}}.Encode()
		next = &n
	}
	type links struct {
		Next *string `json:"next"`
	}
	return jsonResponse(http.StatusOK, struct {
		Message string       `json:"message"`
		Data    []subproduct `json:"data"`
		Links   links        `json:"links"`
	}{"success", append([]subproduct{}, all[from:to]...), links{next}})
}

type catalogCategory struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	ProductCodes []string `json:"product_codes"`
}

type catalogGroup struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	IconURL    string             `json:"icon_url"`
	Categories []*catalogCategory `json:"categories"`
}

type catalogProduct struct {
	Code           string         `json:"code"`
	Name           string         `json:"name"`
	ProductType    string         `json:"product_type"`
	ImageURL       string         `json:"image_url"`
	ProcessingTime string         `json:"processing_time"`
	DisplayName    string         `json:"display_name"`
	Fields         []catalogField `json:"fields"`
	Fulfillment    map[string]any `json:"fulfillment"`
	Pricing        map[string]any `json:"pricing"`
}

func slug(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "_")) }

// handleCatalog answers GET /v2/catalog: groups and categories in
// listing order, and every product (or only product_code's).
func (s *Server) handleCatalog(req *request) response {
	q := req.http.URL.Query()
	only := q.Get("product_code")
	// Inferred: without is_active the catalog lists active products only (a
	// deactivated product is "deleted" in catalog events); is_active=false
	// lists the inactive ones.
	wantActive := q.Get("is_active") != "false"
	products := map[string]catalogProduct{}
	var groups []*catalogGroup
	s.mu.Lock()
	updated := s.cat.updated
	for i := range s.listing {
		p := &s.listing[i]
		l := p.listing
		if (only != "" && l.ProductCode != only) || s.activeLocked(l.ProductCode) != wantActive {
			continue
		}
		products[l.ProductCode] = catalogProduct{Code: l.ProductCode, Name: s.displayNameLocked(p), ProductType: "standard",
			ImageURL: l.ImageURL, ProcessingTime: "instant", DisplayName: s.displayNameLocked(p),
			Fields: fieldsFor(p), Fulfillment: fulfillmentFor(p),
			Pricing: map[string]any{"model": "percentage_discount", "discount_rate": money(p.discountBP * 100)}} // basis points to percent
		groups = addToTree(groups, l)
	}
	s.mu.Unlock()
	lastUpdated := catalogUpdated
	if !updated.IsZero() {
		lastUpdated = updated.UTC().Format(time.RFC3339)
	}
	type tree struct {
		Groups []*catalogGroup `json:"groups"`
	}
	return jsonResponse(http.StatusOK, struct {
		LastUpdated string                    `json:"last_updated"`
		Tree        tree                      `json:"tree"`
		Products    map[string]catalogProduct `json:"products"`
	}{lastUpdated, tree{append([]*catalogGroup{}, groups...)}, products})
}

func addToTree(groups []*catalogGroup, l productListing) []*catalogGroup {
	var g *catalogGroup
	for _, x := range groups {
		if x.Name == l.ProductGroup {
			g = x
		}
	}
	if g == nil {
		g = &catalogGroup{ID: "grp_" + slug(l.ProductGroup), Name: l.ProductGroup,
			IconURL: "https://cdn.iimmpact.com/icons/" + slug(l.ProductGroup) + ".png"}
		groups = append(groups, g)
	}
	var c *catalogCategory
	for _, x := range g.Categories {
		if x.Name == l.Category {
			c = x
		}
	}
	if c == nil {
		c = &catalogCategory{ID: "cat_" + slug(l.Category), Name: l.Category}
		g.Categories = append(g.Categories, c)
	}
	c.ProductCodes = append(c.ProductCodes, l.ProductCode)
	return groups
}
