package main

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/iimmpact-go/iimmpact"
	"github.com/spf13/cobra"
)

type productJSON struct {
	Code          string            `json:"code"`
	Name          string            `json:"name"`
	Status        string            `json:"status"`
	Group         string            `json:"group"`
	Category      string            `json:"category"`
	AccountLabel  string            `json:"account_label"`
	HasSubproduct bool              `json:"has_subproduct"`
	Refundable    bool              `json:"refundable"`
	Denominations []iimmpact.Amount `json:"denominations"` // empty: any amount
}

type productFilter struct {
	group, category, search string
	active                  bool
}

func (f productFilter) keep(p iimmpact.Product) bool {
	switch {
	case f.active && !p.Active():
		return false
	case f.group != "" && !strings.EqualFold(f.group, p.Group):
		return false
	case f.category != "" && !strings.EqualFold(f.category, p.Category):
		return false
	}
	return matches(f.search, p.Code, p.Name)
}

// matches reports whether any of texts contains search, ignoring case.
func matches(search string, texts ...string) bool {
	if search == "" {
		return true
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), strings.ToLower(search)) {
			return true
		}
	}
	return false
}

func newProductsCmd(a *app) *cobra.Command {
	var (
		f      productFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "products",
		Short: "List the products you may sell (legacy /v2/product-list; see also catalog)",
		Example: `  iimmpact products --group "Mobile Reload" --active
  iimmpact products --search digi --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			all, err := c.Products(cmd.Context())
			if err != nil {
				return err
			}
			var kept []iimmpact.Product
			for _, p := range all {
				if f.keep(p) {
					kept = append(kept, p)
				}
			}
			if asJSON {
				return writeJSON(a.out, productsJSON(kept))
			}
			t := newTable(a.out, "CODE", "NAME", "GROUP", "CATEGORY", "STATUS", "AMOUNTS")
			for _, p := range kept {
				t.row(p.Code, p.Name, orDash(p.Group), orDash(p.Category), p.Status, amounts(p))
			}
			return t.flush()
		},
	}
	cmd.Flags().StringVar(&f.group, "group", "", "only this group, e.g. \"Mobile Reload\" (any case)")
	cmd.Flags().StringVar(&f.category, "category", "", "only this category, e.g. Prepaid (any case)")
	cmd.Flags().StringVar(&f.search, "search", "", "only products whose code or name contains this text")
	cmd.Flags().BoolVar(&f.active, "active", false, "only active products (inactive ones must not be offered)")
	jsonFlag(cmd, &asJSON)
	return cmd
}

func productsJSON(ps []iimmpact.Product) []productJSON {
	out := make([]productJSON, 0, len(ps))
	for _, p := range ps {
		d := p.Denominations
		if d == nil {
			d = []iimmpact.Amount{}
		}
		out = append(out, productJSON{p.Code, p.Name, p.Status, p.Group, p.Category,
			p.AccountLabel, p.HasSubproduct, p.IsRefundable, d})
	}
	return out
}

// amounts lists a product's denominations as people read them.
func amounts(p iimmpact.Product) string {
	if len(p.Denominations) == 0 {
		if p.DenominationText != "" {
			return p.DenominationText // as sent: it could not be read as amounts
		}
		return "any"
	}
	s := make([]string, len(p.Denominations))
	for i, d := range p.Denominations {
		s[i] = d.String()
	}
	return "RM " + strings.Join(s, ", ")
}

type catalogProductJSON struct {
	Group          string          `json:"group"`
	Category       string          `json:"category"`
	Code           string          `json:"code"`
	Name           string          `json:"name"`
	Type           string          `json:"type"`
	ProcessingTime string          `json:"processing_time"`
	Pricing        json.RawMessage `json:"pricing,omitempty"`
}

func newCatalogCmd(a *app) *cobra.Command {
	var (
		q                iimmpact.CatalogQuery
		group, search    string
		inactive, asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "List the product catalog (/v2/catalog) by group and category",
		Example: `  iimmpact catalog --group "Bill Payment"
  iimmpact catalog --product D --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			if inactive {
				q.IsActive = new(bool)
			}
			cat, err := c.Catalog(cmd.Context(), q)
			if err != nil {
				return err
			}
			rows := catalogRows(cat, group, search)
			if asJSON {
				return writeJSON(a.out, rows)
			}
			t := newTable(a.out, "GROUP", "CATEGORY", "CODE", "NAME", "TYPE", "PROCESSING")
			for _, r := range rows {
				t.row(r.Group, r.Category, r.Code, r.Name, orDash(r.Type), orDash(r.ProcessingTime))
			}
			return t.flush()
		},
	}
	cmd.Flags().StringVar(&q.ProductCode, "product", "", "only this product code")
	cmd.Flags().BoolVar(&q.IncludeHidden, "include-hidden", false, "include hidden products")
	cmd.Flags().BoolVar(&inactive, "inactive", false, "ask for inactive products instead of active ones")
	cmd.Flags().StringVar(&group, "group", "", "only this group, by name or id (any case)")
	cmd.Flags().StringVar(&search, "search", "", "only products whose code or name contains this text")
	jsonFlag(cmd, &asJSON)
	return cmd
}

// catalogRows flattens the catalog tree in its own order; products no
// category lists come last, under "-".
func catalogRows(cat *iimmpact.Catalog, group, search string) []catalogProductJSON {
	rows := []catalogProductJSON{}
	seen := map[string]bool{}
	add := func(g, c string, p iimmpact.CatalogProduct) {
		seen[p.Code] = true
		if matches(search, p.Code, p.Name) {
			rows = append(rows, catalogProductJSON{g, c, p.Code, p.Name, p.ProductType, p.ProcessingTime, pricingJSON(p.Pricing)})
		}
	}
	for _, g := range cat.Groups {
		if group != "" && !strings.EqualFold(group, g.Name) && !strings.EqualFold(group, g.ID) {
			continue
		}
		for _, c := range g.Categories {
			for _, code := range c.ProductCodes {
				if p, ok := cat.Products[code]; ok && !seen[code] {
					add(g.Name, c.Name, p)
				}
			}
		}
	}
	if group == "" {
		var rest []string
		for code := range cat.Products {
			if !seen[code] {
				rest = append(rest, code)
			}
		}
		slices.Sort(rest)
		for _, code := range rest {
			add("-", "-", cat.Products[code])
		}
	}
	return rows
}

// pricingJSON is the product's pricing rule: scripts get every key,
// including those the SDK does not type (Pricing.Other).
func pricingJSON(p *iimmpact.Pricing) json.RawMessage {
	if p == nil {
		return nil
	}
	keys := make(map[string]json.RawMessage, len(p.Other)+2)
	for k, v := range p.Other {
		keys[k] = v
	}
	if p.Model != "" {
		keys["model"], _ = json.Marshal(p.Model)
	}
	if p.DiscountRate != nil {
		keys["discount_rate"] = json.RawMessage(p.DiscountRate.String())
	}
	b, _ := json.Marshal(keys) // strings and valid JSON values: cannot fail
	return b
}
