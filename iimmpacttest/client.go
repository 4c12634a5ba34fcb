package iimmpacttest

import (
	"github.com/iimmpact-go/iimmpact"
)

// Client returns an SDK client pointed at the fake, with the fake's API key
// and HMAC secret; opts are applied after WithBaseURL(s.URL). It panics if
// the SDK refuses the configuration, which can only be a mistake in opts.
// Besides this, the fake uses package iimmpact only for the money and
// status types of its inspection API and in NewCallbackRequest (see the
// package doc); it verifies signatures with its own code.
func (s *Server) Client(opts ...iimmpact.Option) *iimmpact.Client {
	c, err := iimmpact.New(s.APIKey, s.HMACSecret, append([]iimmpact.Option{iimmpact.WithBaseURL(s.URL)}, opts...)...)
	if err != nil {
		panic("iimmpacttest: iimmpact.New: " + err.Error())
	}
	return c
}
