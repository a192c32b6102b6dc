package hqapi

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// Roles lists HQ's roles in a stable order.
func Roles() []string { return []string{RoleAdmin, RolePlanner, RoleViewer} }

// AdminUser is the user the bootstrap token belongs to.
const AdminUser = "admin"

// userStore is what the API needs of HQ's user store (*hq.HQ).
type userStore interface {
	UserByToken(token string) (hq.User, error)
	Users() ([]hq.User, error)
	CreateUser(u hq.User, token string) error
	AddToken(name, token string) error
	SetUserLang(name, lang string) error
}

// EnsureAdmin creates the user "admin" with token in a store that has no
// users yet, and reports whether it did. Once HQ has users the token
// changes nothing: an operator who rotated the admin's token must not get
// the old one back by restarting with the old setting.
func EnsureAdmin(users interface {
	Users() ([]hq.User, error)
	CreateUser(u hq.User, token string) error
}, token string) (bool, error) {
	us, err := users.Users()
	if err != nil {
		return false, fmt.Errorf("read users: %w", err)
	}
	if len(us) > 0 {
		return false, nil
	}
	err = users.CreateUser(hq.User{Name: AdminUser, Role: RoleAdmin}, token)
	if inventory.CodeOf(err) == inventory.CodeUserExists {
		return false, nil // another start won the race
	}
	if err != nil {
		return false, fmt.Errorf("create the admin user: %w", err)
	}
	return true, nil
}

// NewToken returns a new bearer token: 32 random bytes, base64url without
// padding.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// userRoutes are HQ's user administration, admins only.
func (s *server) userRoutes(v1 *gin.RouterGroup) {
	v1.GET("/users", s.authed(admins, func(c *gin.Context) {
		us, err := s.users.Users()
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"users": us})
	}))
	v1.POST("/users", s.authed(admins, s.rememberPost(s.createUser)))
	v1.POST("/users/:name/tokens", s.authed(admins, s.rememberPost(s.createToken)))
}

// NewUser is the body of POST /users.
type NewUser struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Lang string `json:"lang,omitempty"` // the user's language; "" follows the browser
}

// parseNewUser reads and checks a POST /users body.
func parseNewUser(body []byte) (NewUser, error) {
	var req NewUser
	if err := decodeBytes(body, &req); err != nil {
		return req, err
	}
	if err := hq.CheckUserName(req.Name); err != nil {
		return req, err
	}
	if !slices.Contains(Roles(), req.Role) {
		return req, inventory.Errorf(inventory.CodeInvalid, "role", "must be one of %s", strings.Join(Roles(), ", "))
	}
	if _, err := problem.CheckLang(req.Lang); err != nil {
		return req, err
	}
	return req, nil
}

func (s *server) createUser(c *gin.Context, body []byte) (int, any, error) {
	req, err := parseNewUser(body)
	if err != nil {
		return 0, nil, err
	}
	token, err := NewToken()
	if err != nil {
		return 0, nil, err
	}
	u := hq.User{Name: req.Name, Role: req.Role, Lang: req.Lang, Created: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.users.CreateUser(u, token); err != nil {
		return 0, nil, err
	}
	s.tokens.forget()
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "user created",
		slog.String("user", u.Name), slog.String("role", u.Role), slog.String("by", who(c).Name))
	return http.StatusCreated, struct {
		User  hq.User `json:"user"`
		Token string  `json:"token"`
	}{u, token}, nil
}

func (s *server) createToken(c *gin.Context, body []byte) (int, any, error) {
	if len(bytes.TrimSpace(body)) > 0 {
		if err := decodeBytes(body, &struct{}{}); err != nil {
			return 0, nil, err
		}
	}
	token, err := NewToken()
	if err != nil {
		return 0, nil, err
	}
	name := c.Param("name")
	if err := s.users.AddToken(name, token); err != nil {
		return 0, nil, err
	}
	s.tokens.forget()
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "token added",
		slog.String("user", name), slog.String("by", who(c).Name))
	return http.StatusCreated, struct {
		Token string `json:"token"`
	}{token}, nil
}

// postFunc is a POST handler over the body already read: it returns the
// status and the answer, or an error.
type postFunc func(c *gin.Context, body []byte) (int, any, error)

// rememberPost runs h with the request's body and, when the request has an
// Idempotency-Key, answers a repeat of it (same user, key, route and body)
// with the first answer without running h again. A key reused for another
// request is refused. These POSTs append no event, so the answers are
// kept in memory (bounded, 24 h): a repeat after a restart runs again.
func (s *server) rememberPost(h postFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				refuse(c, inventory.CodeTooLarge, "", "the body is over %d bytes", maxBody)
				return
			}
			refuse(c, CodeMalformedJSON, "", "the body could not be read")
			return
		}
		if ct := c.ContentType(); len(bytes.TrimSpace(body)) > 0 && ct != "application/json" && ct != "" {
			refuse(c, CodeMalformedJSON, "Content-Type", "send application/json")
			return
		}
		key := c.Request.Header.Get("Idempotency-Key")
		if key == "" {
			status, b := s.runPost(c, h, body)
			c.Data(status, contentType(status), b)
			return
		}
		if len(key) > inventory.MaxIdempotencyKeyLen || !utf8.ValidString(key) {
			refuse(c, inventory.CodeInvalid, "Idempotency-Key", "must be valid UTF-8 of at most 200 bytes")
			return
		}
		fp := sha256.Sum256([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n" + string(body)))
		id := idemID{who(c).Name, key}
		// One POST of this kind at a time: user administration is rare,
		// and holding the lock across the handler makes a concurrent
		// repeat wait for the first answer instead of running twice.
		s.idem.mu.Lock()
		defer s.idem.mu.Unlock()
		now := s.now()
		if e, ok := s.idem.get(id, now); ok {
			if e.fp != fp {
				refuse(c, inventory.CodeIdempotencyReuse, "Idempotency-Key", "this key was used for another request")
				return
			}
			c.Header("Idempotent-Replayed", "true")
			c.Data(e.status, contentType(e.status), e.body)
			return
		}
		status, b := s.runPost(c, h, body)
		if status < 500 {
			s.idem.put(id, idemEntry{fp: fp, status: status, body: b, until: now.Add(idemTTL)})
		}
		c.Data(status, contentType(status), b)
	}
}

// runPost runs h and renders its answer or error as bytes.
func (s *server) runPost(c *gin.Context, h postFunc, body []byte) (int, []byte) {
	status, v, err := h(c, body)
	if err != nil {
		var e *inventory.Error
		if !errors.As(err, &e) {
			s.log.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
			e = &inventory.Error{Code: CodeInternal, Msg: "the server failed; the log says why"}
		}
		status, title := statusOf(e.Code)
		p := problem.Localize(c, problem.FromError(e, status, title))
		return p.Status, p.Encode()
	}
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode answer", "err", err)
		p := problem.Localize(c, newProblem(CodeInternal, "", ""))
		return p.Status, p.Encode()
	}
	return status, b
}

func contentType(status int) string {
	if status >= 400 {
		return "application/problem+json"
	}
	return "application/json"
}

const (
	idemTTL        = 24 * time.Hour
	maxIdemEntries = 10_000
)

type idemID struct{ user, key string }

type idemEntry struct {
	fp     [sha256.Size]byte
	status int
	body   []byte
	until  time.Time
}

// idemCache holds the answers of keyed POSTs; mu is held by rememberPost
// around the whole exchange.
type idemCache struct {
	mu sync.Mutex
	m  map[idemID]idemEntry
}

func newIdemCache() *idemCache { return &idemCache{m: map[idemID]idemEntry{}} }

func (ic *idemCache) get(id idemID, now time.Time) (idemEntry, bool) {
	e, ok := ic.m[id]
	if ok && now.After(e.until) {
		delete(ic.m, id)
		return idemEntry{}, false
	}
	return e, ok
}

func (ic *idemCache) put(id idemID, e idemEntry) {
	if len(ic.m) >= maxIdemEntries {
		now := e.until.Add(-idemTTL)
		for k, old := range ic.m {
			if now.After(old.until) {
				delete(ic.m, k)
			}
		}
		if len(ic.m) >= maxIdemEntries {
			// Still full of live answers: refusing new keys would stop
			// user administration, so the oldest answers go.
			clear(ic.m)
		}
	}
	ic.m[id] = e
}
