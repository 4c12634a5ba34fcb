package iimmpact

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// envelope is IIMMPACT's usual response wrapper: {"data": ..., "metadata":
// {...}} or, on some endpoints, "@metadata" (spec §3.1). A body without
// "data" is malformed, never a zero-valued success.
type envelope[T any] struct {
	Data       *T        `json:"data"`
	Metadata   *Metadata `json:"metadata"`
	AtMetadata *Metadata `json:"@metadata"`
}

// errNoData makes a body without "data" malformed, on every endpoint.
var errNoData = errors.New(`no "data" in the body`)

func (e *envelope[T]) check() error {
	if e.Data == nil {
		return errNoData
	}
	return nil
}

// meta returns whichever metadata key the endpoint used.
func (e *envelope[T]) meta() Metadata {
	switch {
	case e.Metadata != nil:
		return *e.Metadata
	case e.AtMetadata != nil:
		return *e.AtMetadata
	}
	return Metadata{}
}

// Metadata is the "metadata" (or "@metadata") object some endpoints add.
type Metadata struct {
	StatusCode  int       // the HTTP status, repeated
	LastUpdated time.Time // GMT+8
}

// UnmarshalJSON implements json.Unmarshaler.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	var w struct {
		StatusCode  wire.Int  `json:"status_code"`
		LastUpdated wire.Time `json:"last_updated"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Metadata{StatusCode: int(w.StatusCode), LastUpdated: w.LastUpdated.Time}
	return nil
}

// get is the shape most endpoints take: a GET whose answer is an envelope.
func get[T any](ctx context.Context, c *Client, path string, query url.Values) (*envelope[T], error) {
	return do[envelope[T]](ctx, c, call{method: http.MethodGet, path: path, query: query})
}
