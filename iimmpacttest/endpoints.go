package iimmpacttest

import (
	"net/http"
)

// The demo account of IIMMPACT's walkthrough.
const (
	demoAccount = "3100528"
	demoName    = "Demo Merchant Sdn Bhd"
	demoLevel   = "12"
)

type balanceData struct {
	Account string `json:"account"`
	Name    string `json:"name"`
	Balance money  `json:"balance"`
	Level   string `json:"level"`
	Access  int    `json:"access"`
}

// handleBalance answers GET /v2/balance with the wallet balance as a JSON
// number. Processing topups are not yet debited (see Server.Balance).
func (s *Server) handleBalance(*request) response {
	s.mu.Lock()
	bal := s.balance
	s.mu.Unlock()
	return jsonResponse(http.StatusOK, map[string]balanceData{"data": {
		Account: demoAccount, Name: demoName, Balance: bal, Level: demoLevel, Access: 0,
	}})
}

// handleProductList answers GET /v2/product-list with the fixed catalogue.
func (s *Server) handleProductList(*request) response {
	list := make([]productListing, len(s.listing))
	s.mu.Lock()
	for i, p := range s.listing {
		list[i] = p.listing
		if !s.activeLocked(p.listing.ProductCode) {
			list[i].Status = "Inactive"
		}
	}
	s.mu.Unlock()
	return jsonResponse(http.StatusOK, map[string][]productListing{"data": list})
}

type networkData struct {
	ProductCode   string `json:"product_code"`
	ProductName   string `json:"product_name"`
	ProductImg    string `json:"product_img"`
	NetworkStatus string `json:"network_status"`
}

type metadata struct {
	StatusCode  int    `json:"status_code"`
	LastUpdated string `json:"last_updated"`
}

// handleNetworkStatus answers GET /v2/networkstatus?product=X; the product
// is required and must be in the catalogue, else 400.
func (s *Server) handleNetworkStatus(req *request) response {
	code := req.http.URL.Query().Get("product")
	p := s.products[code]
	if p == nil {
		msg := "Unknown product " + code
		if code == "" {
			msg = "The product parameter is required"
		}
		return errorResponse(http.StatusBadRequest, "invalid_product", msg)
	}
	s.mu.Lock()
	st := s.network[code]
	s.mu.Unlock()
	return jsonResponse(http.StatusOK, struct {
		Data     networkData `json:"data"`
		Metadata metadata    `json:"metadata"`
	}{
		Data: networkData{
			ProductCode: code, ProductName: p.listing.ProductName,
			ProductImg: p.listing.ImageURL, NetworkStatus: st.status,
		},
		Metadata: metadata{StatusCode: http.StatusOK, LastUpdated: st.updated.In(myt).Format(layoutNetwork)},
	})
}
