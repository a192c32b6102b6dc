package api

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// Page sizes. Lists fetch one item more than asked to know whether a next
// page exists, so the store's own cap (1,000 parts or locations, 10,000
// events) is never what cuts a page short.
const (
	defaultPage      = 100
	maxCatalogPage   = 500
	maxEventPage     = 1000
	defaultStockPage = 1000
	maxStockPage     = 10_000
)

// errPageFull stops an event walk once a page has its items.
var errPageFull = errors.New("page full")

func queryLimit(c *gin.Context, def, maxLimit int) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		return 0, apiErrf(inventory.CodeInvalid, "limit", "must be a whole number from 1 to %d", maxLimit)
	}
	return n, nil
}

func querySeq(c *gin.Context, name string) (uint64, bool, error) {
	v := c.Query(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, apiErr(inventory.CodeInvalid, name, "must be an event seq (a whole number)")
	}
	return n, true, nil
}

// list is a page of a catalogue; Next is the cursor for the following page.
type pageOf[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

func page[T any](items []T, limit int, key func(T) string) pageOf[T] {
	if len(items) > limit {
		return pageOf[T]{Items: items[:limit], Next: key(items[limit-1])}
	}
	return pageOf[T]{Items: items}
}

// listPage answers a catalogue page: ?limit= is checked first, then fetch
// (which checks its own filters) reads one item more than the page holds
// from the ?after= cursor, and key names the cursor of the next page.
func listPage[T any](s *server, c *gin.Context, fetch func(inventory.Page) ([]T, error), key func(T) string) {
	limit, err := queryLimit(c, defaultPage, maxCatalogPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, err := fetch(inventory.Page{After: c.Query("after"), Limit: limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, page(items, limit, key))
}

// getOne answers GET of one document: get reads it by the path parameter
// param.
func getOne[T any](s *server, c *gin.Context, param string, get func(string) (T, error)) {
	v, err := get(c.Param(param))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, v)
}

// postDocument is a document POST: the role check comes before the body
// is read (may, a format like "the %s role may not define parts", gets
// the role), then postBody appends the
// command of type t built from the body and answers status with what
// answer builds from the appended event.
func postDocument[B any](s *server, c *gin.Context, u *inventory.User, t inventory.EventType, may string, status int,
	command func(b *B) inventory.Command, answer func(ev *inventory.Event) any) {
	if !s.perms.mayPost(u.Role, t) {
		refuse(c, CodeForbidden, "", may, u.Role)
		return
	}
	postBody(s, c, u, func(b *B) inventory.Command {
		cmd := command(b)
		cmd.Type = t
		return cmd
	}, func(res inventory.Result) { s.writeJSON(c, status, answer(&res.Event)) })
}

// postBody is a POST that appends one command built from its body B (the
// append checks the role may post it) and answers from the result.
func postBody[B any](s *server, c *gin.Context, u *inventory.User, command func(b *B) inventory.Command, answer func(res inventory.Result)) {
	var b B
	if !s.decode(c, &b) {
		return
	}
	res, ok := s.append(c, u, command(&b))
	if ok {
		answer(res)
	}
}

// --- parts ---

func (s *server) listParts(c *gin.Context, _ *inventory.User) {
	listPage(s, c, s.store.Parts, func(p inventory.Part) string { return p.SKU })
}

func (s *server) getPart(c *gin.Context, _ *inventory.User) {
	getOne(s, c, "sku", s.store.Part)
}

func (s *server) lookupPart(c *gin.Context, _ *inventory.User) {
	code := c.Query("code")
	if code == "" {
		refuse(c, inventory.CodeInvalid, "code", "name the code to look up: ?code=SKU, GTIN or alias")
		return
	}
	p, err := s.store.ResolveCode(code)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, p)
}

func (s *server) postPart(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvPartDefined, "the %s role may not define parts", http.StatusCreated,
		func(p *inventory.Part) inventory.Command { return inventory.Command{Part: p} },
		func(ev *inventory.Event) any {
			return struct {
				Part  *inventory.Part  `json:"part"`
				Event *inventory.Event `json:"event"`
			}{ev.Part, ev}
		})
}

// --- locations ---

func (s *server) listLocations(c *gin.Context, _ *inventory.User) {
	listPage(s, c, s.store.Locations, func(l inventory.Location) string { return l.Code })
}

func (s *server) getLocation(c *gin.Context, _ *inventory.User) {
	getOne(s, c, "code", s.store.Location)
}

func (s *server) postLocation(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvLocationDefined, "the %s role may not define locations", http.StatusCreated,
		func(l *inventory.Location) inventory.Command { return inventory.Command{Location: l} },
		func(ev *inventory.Event) any {
			return struct {
				Location *inventory.Location `json:"location"`
				Event    *inventory.Event    `json:"event"`
			}{ev.Location, ev}
		})
}

// --- stock ---

type stockAnswer struct {
	Items []inventory.Balance `json:"items"`
	// Seq is the log position the balances reflect: asOf when given,
	// otherwise the head when the read began (events committed during the
	// read may show as well).
	Seq       uint64 `json:"seq"`
	Truncated bool   `json:"truncated,omitempty"`
}

func (s *server) stock(c *gin.Context, _ *inventory.User) {
	ans, err := s.readStock(c, defaultStockPage, maxStockPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, ans)
}

// readStock reads the balances GET /stock asks for, at most ?limit= rows
// (def when absent, up to maxLimit); the export reads them with its own.
func (s *server) readStock(c *gin.Context, def, maxLimit int) (stockAnswer, error) {
	limit, err := queryLimit(c, def, maxLimit)
	if err != nil {
		return stockAnswer{}, err
	}
	asOf, past, err := querySeq(c, "asOf")
	if err != nil {
		return stockAnswer{}, err
	}
	f := inventory.StockFilter{SKU: c.Query("sku"), Location: c.Query("location"), Lot: c.Query("lot"), Serial: c.Query("serial")}
	var ans stockAnswer
	if past {
		ans.Seq = asOf
		ans.Items, err = s.store.StockAt(asOf, f)
		var e *inventory.Error
		if errors.As(err, &e) && e.Field == "seq" {
			err = e.At("asOf")
		}
	} else {
		ans.Seq = s.store.Head().Seq
		ans.Items, err = s.store.Stock(f, limit+1)
	}
	if err != nil {
		return stockAnswer{}, err
	}
	if len(ans.Items) > limit {
		ans.Items, ans.Truncated = ans.Items[:limit], true
	}
	return ans, nil
}

// --- events ---

func (s *server) listEvents(c *gin.Context, _ *inventory.User) {
	limit, err := queryLimit(c, defaultPage, maxEventPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	after, _, err := querySeq(c, "after")
	if err != nil {
		s.fail(c, err)
		return
	}
	// Events go out exactly as stored: the bytes their hashes cover.
	var buf bytes.Buffer
	buf.WriteString(`{"items":[`)
	n, last, more := 0, uint64(0), false
	err = s.store.EachRawEvent(after, func(seq uint64, raw []byte) error {
		if n == limit {
			more = true
			return errPageFull
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(raw)
		last = seq
		n++
		return nil
	})
	if err != nil && !errors.Is(err, errPageFull) {
		s.fail(c, err)
		return
	}
	buf.WriteByte(']')
	if more {
		buf.WriteString(`,"next":`)
		buf.WriteString(strconv.FormatUint(last, 10))
	}
	buf.WriteByte('}')
	c.Data(http.StatusOK, "application/json", buf.Bytes())
}

func (s *server) getEvent(c *gin.Context, _ *inventory.User) {
	seq, err := strconv.ParseUint(c.Param("seq"), 10, 64)
	if err != nil {
		refuse(c, inventory.CodeInvalid, "seq", "must be an event seq (a whole number)")
		return
	}
	ev, err := s.store.Event(seq)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, &ev)
}

func (s *server) postEvent(c *gin.Context, u *inventory.User) {
	var cmd inventory.Command
	if !s.decode(c, &cmd) {
		return
	}
	if isTransitWriteOff(cmd) && !mayWriteOff(u.Role) {
		refuse(c, CodeForbidden, "type", "the %s role may not write off stock in transit", u.Role)
		return
	}
	// A settlement closes the source's copy on the destination's word, which
	// HQ relays; by hand it is an admin's correction, nobody else's.
	if cmd.TransferReport != nil && u.Role != RoleAdmin {
		refuse(c, CodeForbidden, "transferReport", "a transfer's settlement comes from HQ; only an admin may post one by hand")
		return
	}
	res, ok := s.append(c, u, cmd)
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusCreated, eventAnswer(&res.Event))
}

// eventAnswer is an answer that is the event alone.
func eventAnswer(ev *inventory.Event) any {
	return struct {
		Event *inventory.Event `json:"event"`
	}{ev}
}

// append checks the role may post cmd's type and appends it as the caller.
// A replay of an earlier request is marked so, and answers exactly as the
// first time did because the answer is built from the stored event alone.
func (s *server) append(c *gin.Context, u *inventory.User, cmd inventory.Command) (inventory.Result, bool) {
	// An unknown type is the store's to refuse as invalid: it is a bad
	// request whoever sends it, not a question of permission.
	if knownEventType(cmd.Type) && !s.perms.mayPost(u.Role, cmd.Type) {
		refuse(c, CodeForbidden, "type", "the %s role may not post %s events", u.Role, cmd.Type)
		return inventory.Result{}, false
	}
	res, err := s.commit(c, u, cmd)
	if err != nil {
		s.fail(c, err)
		return res, false
	}
	c.Header("Location", "/api/v1/events/"+strconv.FormatUint(res.Event.Seq, 10))
	return res, true
}

// commit appends cmd as the caller under the request's Idempotency-Key:
// a replay is marked so, a new event is counted.
func (s *server) commit(c *gin.Context, u *inventory.User, cmd inventory.Command) (inventory.Result, error) {
	cmd.Actor = u.Name
	cmd.IdempotencyKey = c.Request.Header.Get("Idempotency-Key")
	res, err := s.store.Append(c.Request.Context(), cmd)
	if err != nil {
		// The store names the key as a command field; the client sent a header.
		var e *inventory.Error
		if errors.As(err, &e) && e.Field == "idempotencyKey" {
			err = e.At("Idempotency-Key")
		}
		return res, err
	}
	if res.Replayed {
		c.Header("Idempotent-Replayed", "true")
	} else {
		s.metrics.events.WithLabelValues(string(res.Event.Type)).Inc()
	}
	return res, nil
}

// --- serials ---

func (s *server) serialHistory(c *gin.Context, _ *inventory.User) {
	h, err := s.store.SerialHistory(c.Param("sku"), c.Param("serial"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, h)
}

// --- users ---

func (s *server) listUsers(c *gin.Context, _ *inventory.User) {
	users, err := s.store.Users()
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, pageOf[inventory.User]{Items: users})
}

type newUser struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Lang string `json:"lang,omitempty"` // the user's language; "" follows the browser
}

func (s *server) createUser(c *gin.Context, _ *inventory.User, body []byte) (int, any, error) {
	var req newUser
	if err := s.decodeJSON(bytes.NewReader(body), &req); err != nil {
		return 0, nil, err
	}
	if !validRole(req.Role) {
		return 0, nil, apiErr(inventory.CodeInvalid, "role", "must be one of admin, storekeeper, engineer, procurement, planner, auditor")
	}
	lang, err := problem.CheckLang(req.Lang)
	if err != nil {
		return 0, nil, err
	}
	token, err := NewToken()
	if err != nil {
		return 0, nil, err
	}
	u := inventory.User{Name: req.Name, Role: req.Role, Lang: string(lang), Created: s.clock.Now().UTC().Truncate(time.Millisecond)}
	if err := s.store.CreateUser(u, token); err != nil {
		if inventory.CodeOf(err) == inventory.CodeUserExists {
			return 0, nil, apiErrf(CodeUserExists, "name", "a user named %q exists; add a token to it instead", req.Name)
		}
		return 0, nil, err
	}
	s.tokens.forget()
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "user created",
		slog.String("user", u.Name), slog.String("role", u.Role))
	return http.StatusCreated, struct {
		User  inventory.User `json:"user"`
		Token string         `json:"token"`
	}{u, token}, nil
}

func (s *server) createToken(c *gin.Context, _ *inventory.User, body []byte) (int, any, error) {
	if err := s.decodeOptional(body, &struct{}{}); err != nil {
		return 0, nil, err
	}
	token, err := NewToken()
	if err != nil {
		return 0, nil, err
	}
	name := c.Param("name")
	if err := s.store.AddToken(name, token); err != nil {
		return 0, nil, err
	}
	s.tokens.forget()
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "token added", slog.String("user", name))
	return http.StatusCreated, struct {
		Token string `json:"token"`
	}{token}, nil
}

// NewToken returns a new bearer token: 32 random bytes, base64url without
// padding.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// --- admin ---

func (s *server) verify(c *gin.Context, _ *inventory.User, body []byte) (int, any, error) {
	if err := s.decodeOptional(body, &struct{}{}); err != nil {
		return 0, nil, err
	}
	r, err := s.store.Verify(c.Request.Context(), nil)
	if err != nil {
		return 0, nil, err
	}
	if !r.OK {
		s.log.LogAttrs(c.Request.Context(), slog.LevelWarn, "verify found problems",
			slog.Int("problems", len(r.Problems)), slog.Uint64("events", r.Events))
	}
	return http.StatusOK, r, nil
}

// countingWriter tells whether any byte of the backup reached the client.
type countingWriter struct {
	w gin.ResponseWriter
	n int64
}

func (cw *countingWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.n += int64(n)
	return n, err
}

func (s *server) backup(c *gin.Context, _ *inventory.User) {
	h := s.store.Head()
	// The name's seq is the head as the download starts; the file's own
	// header carries the seq of the snapshot itself.
	name := s.store.Depot() + "-" + strconv.FormatUint(h.Seq, 10) + ".pebak"
	c.Header("Content-Type", "application/octet-stream")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
	cw := &countingWriter{w: c.Writer}
	hdr, err := s.store.Backup(cw, nil)
	if err == nil {
		s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "backup sent",
			slog.Uint64("seq", hdr.Seq), slog.Int64("bytes", cw.n))
		return
	}
	if !c.Writer.Written() {
		c.Writer.Header().Del("Content-Disposition")
		s.fail(c, err)
		return
	}
	// The status is out; break the connection so the client cannot take a
	// cut-off stream for a whole backup.
	s.log.LogAttrs(c.Request.Context(), slog.LevelError, "backup failed mid-stream",
		slog.Int64("bytes", cw.n), slog.String("err", err.Error()))
	panic(http.ErrAbortHandler)
}
