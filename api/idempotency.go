package api

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// POSTs that append an event get their idempotency from the store, which
// keeps the record with the event. POSTs that append none (users, tokens,
// verify) have nowhere in the store to keep one, so the API remembers their
// answers in memory:
//
//   - a record lives at most the TTL (24 h by default), and the oldest go
//     first once the cache holds more than its entry or byte budget
//     (10,000 answers, 8 MiB by default);
//   - records do not survive a restart of depotd;
//   - only successful answers are kept; a refused request can be retried
//     with the same key and is judged afresh (as with event POSTs);
//   - a repeat that arrives while the first is still running waits for it.
//
// Keys are per user, like the store's: two users may use the same key.

const (
	defaultIdemEntries = 10_000
	defaultIdemBytes   = 8 << 20
	defaultIdemTTL     = 24 * time.Hour
)

type idemID struct{ actor, key string }

type idemEntry struct {
	id   idemID
	fp   [sha256.Size]byte
	at   time.Time
	done chan struct{} // closed once the first request has finished
	// Set before done is closed; read only after.
	kept   bool
	status int
	body   []byte
	elem   *list.Element
}

type idemCache struct {
	mu         sync.Mutex
	entries    map[idemID]*idemEntry
	order      *list.List // kept answers, newest at the front
	bytes      int
	maxEntries int
	maxBytes   int
	ttl        time.Duration
	clock      Clock
}

func newIdemCache(entries, bytes int, ttl time.Duration, clock Clock) *idemCache {
	if entries <= 0 {
		entries = defaultIdemEntries
	}
	if bytes <= 0 {
		bytes = defaultIdemBytes
	}
	if ttl <= 0 {
		ttl = defaultIdemTTL
	}
	return &idemCache{entries: map[idemID]*idemEntry{}, order: list.New(),
		maxEntries: entries, maxBytes: bytes, ttl: ttl, clock: clock}
}

// begin claims id for a request with fingerprint fp. It returns the entry
// and whether it is a finished answer to replay; otherwise the caller owns
// the entry and must call finish.
func (ic *idemCache) begin(ctx context.Context, id idemID, fp [sha256.Size]byte) (*idemEntry, bool, error) {
	for {
		ic.mu.Lock()
		e := ic.entries[id]
		if e != nil && e.kept && ic.clock.Now().Sub(e.at) > ic.ttl {
			ic.removeLocked(e)
			e = nil
		}
		if e == nil {
			e = &idemEntry{id: id, fp: fp, at: ic.clock.Now(), done: make(chan struct{})}
			ic.entries[id] = e
			ic.mu.Unlock()
			return e, false, nil
		}
		ic.mu.Unlock()
		if e.fp != fp {
			return nil, false, &inventory.Error{Code: inventory.CodeIdempotencyReuse, Field: "Idempotency-Key",
				Msg: "this key was already used for a different request"}
		}
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
		if e.kept {
			return e, true, nil
		}
		// The first attempt failed and let go of the key: try to claim it.
	}
}

// finish records the owner's answer, or forgets the key when the answer is
// not a success so a retry is judged afresh.
func (ic *idemCache) finish(e *idemEntry, status int, body []byte) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	defer close(e.done)
	if status < 200 || status > 299 {
		delete(ic.entries, e.id)
		return
	}
	e.kept, e.status, e.body, e.at = true, status, body, ic.clock.Now()
	e.elem = ic.order.PushFront(e)
	ic.bytes += len(body)
	for ic.order.Len() > ic.maxEntries || ic.bytes > ic.maxBytes {
		ic.removeLocked(ic.order.Back().Value.(*idemEntry))
	}
	// Expired answers at the back go too, so memory follows the TTL even
	// when keys are never asked for again.
	now := ic.clock.Now()
	for back := ic.order.Back(); back != nil; back = ic.order.Back() {
		old := back.Value.(*idemEntry)
		if now.Sub(old.at) <= ic.ttl {
			break
		}
		ic.removeLocked(old)
	}
}

func (ic *idemCache) removeLocked(e *idemEntry) {
	if ic.entries[e.id] == e {
		delete(ic.entries, e.id)
	}
	if e.elem != nil {
		ic.order.Remove(e.elem)
		ic.bytes -= len(e.body)
		e.elem = nil
	}
}

func (ic *idemCache) len() int {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	return ic.order.Len()
}

// rememberedFunc handles a POST that appends no event. It gets the raw
// body (already checked to be JSON, or empty) and returns the answer.
type rememberedFunc func(c *gin.Context, u *inventory.User, body []byte) (int, any, error)

// remembered gives a POST that appends no event the same idempotency as the
// store gives event POSTs: a repeat with the same key and body gets the
// first answer and changes nothing.
func (s *server) remembered(h rememberedFunc) handler {
	return func(c *gin.Context, u *inventory.User) {
		body, err := s.readBody(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		key := c.Request.Header.Get("Idempotency-Key")
		if key == "" {
			s.answer(c, h, u, body, nil)
			return
		}
		if len(key) > inventory.MaxIdempotencyKeyLen || !utf8.ValidString(key) {
			refuse(c, inventory.CodeInvalid, "Idempotency-Key", "must be valid UTF-8 of at most 200 bytes")
			return
		}
		hash := sha256.New()
		hash.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n"))
		hash.Write(body)
		var fp [sha256.Size]byte
		hash.Sum(fp[:0])
		e, replay, err := s.idem.begin(c.Request.Context(), idemID{u.Name, key}, fp)
		if err != nil {
			s.fail(c, err)
			return
		}
		if replay {
			c.Header("Idempotent-Replayed", "true")
			c.Data(e.status, "application/json", e.body)
			return
		}
		s.answer(c, h, u, body, e)
	}
}

func (s *server) answer(c *gin.Context, h rememberedFunc, u *inventory.User, body []byte, e *idemEntry) {
	status, b := http.StatusInternalServerError, []byte(nil)
	if e != nil {
		// Let go of the key even if the handler panics, or every retry
		// would wait on it forever.
		defer func() { s.idem.finish(e, status, b) }()
	}
	st, v, err := h(c, u, body)
	if err != nil {
		s.fail(c, err)
		return
	}
	enc, err := json.Marshal(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	status, b = st, enc
	c.Data(status, "application/json", b)
}
