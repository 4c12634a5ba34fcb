package iimmpact

// Every response, callback and history type is decoded in one pass by code
// generated from its `wire` struct tags (internal/wiregen).
//go:generate go run ./internal/wiregen

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
	Data     *T
	Metadata *metadata // from "metadata" or "@metadata"
}

// errNoData makes a body without "data" malformed, on every endpoint.
var errNoData = errors.New(`no "data" in the body`)

func (e *envelope[T]) check() error { return checkData(e.Data) }

// checkData refuses a body whose data is absent or null.
func checkData[T any](data *T) error {
	if data == nil {
		return errNoData
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler, in one pass.
func (e *envelope[T]) UnmarshalJSON(b []byte) error {
	return wire.Decode(b, e, (*envelope[T]).decodeWire)
}

// decodeWire is written by hand because the generator does not read
// generic types; it is what wiregen would write for its three keys.
func (e *envelope[T]) decodeWire(d *wire.Decoder) error {
	*e = envelope[T]{}
	return wire.Object(d, e, (*envelope[T]).decodeMember)
}

func (e *envelope[T]) decodeMember(d *wire.Decoder, key []byte) error {
	switch string(key) {
	case "data":
		return wire.Ptr(d, &e.Data, decodeAny[T])
	case "metadata", "@metadata":
		return wire.Ptr(d, &e.Metadata, (*metadata).decodeWire)
	}
	if k, ok := wire.Fold(key, "data", "metadata", "@metadata"); ok {
		return e.decodeMember(d, []byte(k))
	}
	return d.Skip()
}

// wireDecoder is implemented by every type wiregen writes a decoder for.
type wireDecoder interface{ decodeWire(*wire.Decoder) error }

// decodeAny reads a T in the same pass when T has a generated decoder (or
// is a slice of one), and through encoding/json otherwise.
func decodeAny[T any](p *T, d *wire.Decoder) error {
	if w, ok := any(p).(wireDecoder); ok {
		return w.decodeWire(d)
	}
	if w, ok := any(p).(*[]Product); ok {
		return wire.Slice(d, w, (*Product).decodeWire)
	}
	b, err := d.Value()
	if err != nil {
		return err
	}
	return json.Unmarshal(b, p)
}

// metadata is the "metadata" (or "@metadata") object some endpoints add.
type metadata struct {
	StatusCode  int       `wire:"status_code"` // the HTTP status, repeated
	LastUpdated time.Time `wire:"last_updated"`
}

// lastUpdated is the metadata's time, zero when there was none.
func (m *metadata) lastUpdated() time.Time {
	if m == nil {
		return time.Time{}
	}
	return m.LastUpdated
}

// stamper is implemented by results that keep the metadata's time.
type stamper interface{ stamp(lastUpdated time.Time) }

// answer is a decoded body that knows the endpoint's result.
type answer[R any] interface{ result() *R }

// fetch is do for every endpoint whose body is not itself the result: it
// decodes the body B and returns the result B holds. With do it is the
// whole request family; no endpoint unwraps a body by hand.
func fetch[R, B any, PB interface {
	*B
	answer[R]
}](ctx context.Context, c *Client, cl call) (*R, error) {
	b, err := do[B](ctx, c, cl)
	if err != nil {
		return nil, err
	}
	return PB(b).result(), nil
}

// unwrap is fetch for the endpoints that answer an envelope.
func unwrap[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	return fetch[T, envelope[T]](ctx, c, cl)
}

// result is the data, stamped with metadata.last_updated when it keeps it.
func (e *envelope[T]) result() *T {
	if s, ok := any(e.Data).(stamper); ok {
		s.stamp(e.Metadata.lastUpdated())
	}
	return e.Data
}

// getCall is a GET of path with query.
func getCall(path string, query url.Values) call {
	return call{method: http.MethodGet, path: path, query: query}
}
