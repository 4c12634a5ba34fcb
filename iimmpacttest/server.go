package iimmpacttest

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Server is a fake IIMMPACT v2 API listening on a real local socket.
// Create it with NewServer (or NewUnstartedServer, then Start or StartOn),
// point a client at URL with APIKey and HMACSecret, and Close it when done.
// All methods are safe for concurrent use.
type Server struct {
	URL        string // base URL with no path, e.g. http://127.0.0.1:43127
	APIKey     string // e.g. iimm_dev_3f9a…
	HMACSecret string // standard Base64 of the 32-byte HMAC key

	cfg      config
	key      []byte
	log      *slog.Logger
	now      func() time.Time
	products map[string]*product
	listing  []product
	ts       *httptest.Server
	cbClient *http.Client
	ctx      context.Context // cancelled by Close: stops timers, retries and delays
	cancel   context.CancelFunc
	wg       sync.WaitGroup // settle timers and callback workers

	mu           sync.Mutex // guards everything below
	started      bool
	closed       bool
	balance      money
	held         money // costs of Processing topups, not yet debited
	txns         map[string]*txn
	order        []*txn
	history      *historyView // the last history query's records
	historyGen   uint64       // counts changes to transactions: see changedLocked
	historyReads int          // times the history was read in full (tests)
	nextTrx      int64
	nextSN       int64
	nonces       map[string]time.Time // nonce -> when a replay would be stale anyway
	nonceLimit   int
	requests     map[string]int
	faults       map[string]*faultPlan
	rng          *rand.Rand
	network      map[string]networkState
	cbURL        string
	cbMethod     string
	cbQueues     map[string][]callbackEvent // refid -> undelivered events; key present while a worker runs
	cbAttempts   []CallbackAttempt
	settleAfter  int
	rest         restState // the endpoints of routes_rest.go
	lim          limiterState
	cat          catalogState
	book         []bookEntry // every wallet movement, oldest first (statement.go)
}

type networkState struct {
	status  string
	updated time.Time
}

// NewServer starts and returns a fake IIMMPACT server on 127.0.0.1 with a
// random port, a random iimm_dev_ API key and a random HMAC secret unless
// options say otherwise. The caller must Close it.
func NewServer(opts ...ServerOption) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns a configured fake that is not yet listening;
// call Start or StartOn, then Close. It builds the whole fake in one
// place, a field a line, which makes it longer than most functions.
func NewUnstartedServer(opts ...ServerOption) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.apiKey == "" {
		cfg.apiKey = "iimm_dev_" + randomHex(16)
		secret := make([]byte, 32)
		_, _ = crand.Read(secret)
		cfg.secret = base64.StdEncoding.EncodeToString(secret)
	}
	key, _ := base64.StdEncoding.DecodeString(cfg.secret) // validated by WithCredentials
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		APIKey:      cfg.apiKey,
		HMACSecret:  cfg.secret,
		cfg:         cfg,
		key:         key,
		log:         cfg.logger,
		now:         cfg.clock,
		products:    map[string]*product{},
		listing:     catalogue(),
		cbClient:    newCallbackClient(cfg.callbackSource),
		ctx:         ctx,
		cancel:      cancel,
		balance:     cfg.balance,
		txns:        map[string]*txn{},
		nextTrx:     905187223,
		nonces:      map[string]time.Time{},
		nonceLimit:  1024,
		requests:    map[string]int{},
		faults:      map[string]*faultPlan{},
		rng:         rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15)),
		network:     map[string]networkState{},
		cbURL:       cfg.callbackURL,
		cbMethod:    cfg.callbackMethod,
		cbQueues:    map[string][]callbackEvent{},
		settleAfter: cfg.settleAfter,
	}
	start := s.now()
	for i := range s.listing {
		p := &s.listing[i]
		s.products[p.listing.ProductCode] = p
		status := "Healthy"
		if st, ok := cfg.network[p.listing.ProductCode]; ok {
			status = st
		}
		s.network[p.listing.ProductCode] = networkState{status: status, updated: start}
	}
	s.ts = httptest.NewUnstartedServer(s)
	return s
}

// Start listens on 127.0.0.1 with a random port. It panics if it cannot
// listen or the server was already started, like httptest.Server.Start.
func (s *Server) Start() {
	s.markStarted()
	s.ts.Start()
	s.URL = s.ts.URL
}

// StartOn listens on addr (host:port) instead of a random local port, for
// a long-running sandbox such as cmd/iimmpact-sandbox.
func (s *Server) StartOn(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("iimmpacttest: listen on %s: %w", addr, err)
	}
	s.markStarted()
	_ = s.ts.Listener.Close()
	s.ts.Listener = l
	s.ts.Start()
	s.URL = s.ts.URL
	return nil
}

func (s *Server) markStarted() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		panic("iimmpacttest: server already started or closed")
	}
	s.started = true
}

// Close stops the server: it cancels pending settle timers, callback
// deliveries and retry waits, waits for in-flight requests and for every
// goroutine the fake started, and releases idle connections. It is safe to
// call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()

	s.cancel()
	s.ts.Close()
	s.wg.Wait()
	s.cbClient.CloseIdleConnections()
}

// goLocked runs f in a goroutine tracked by Close; it does nothing once the
// server is closed. The caller holds s.mu.
func (s *Server) goLocked(f func()) bool {
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// sleep waits for d unless the request or the server ends first; it
// reports whether the full delay elapsed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.ctx.Done():
		return false
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}
