package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client calls depotd's API. Every call takes a context; the timeout bounds
// a whole call (reading the answer included), except for streams, which are
// bounded by how long they may go without a byte.
type client struct {
	base    string // scheme://host[/prefix], no trailing slash
	token   string
	timeout time.Duration
	hc      *http.Client
	// retries is how many times a call that is safe to repeat (a GET, or a
	// POST with an Idempotency-Key) is retried after a connection failure
	// or a 502/503/504, waiting backoff, then twice as long, ...
	retries int
	backoff time.Duration
}

func newClient(server, token string, timeout time.Duration) (*client, error) {
	if !strings.Contains(server, "://") {
		server = "http://" + server
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, badInput("--server %q is not an http:// or https:// URL", server)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = timeout
	return &client{
		base:    strings.TrimRight(u.String(), "/"),
		token:   token,
		timeout: timeout,
		hc: &http.Client{Transport: tr,
			// A redirect would turn a POST into a GET and could carry the
			// token elsewhere: report it instead of following it.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		retries: 2,
		backoff: 250 * time.Millisecond,
	}, nil
}

// problem is an application/problem+json answer.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Field  string `json:"field"`
}

// apiError is a non-2xx answer from depotd.
type apiError struct {
	Status  int
	Problem problem
}

func (e *apiError) Error() string {
	code, detail := e.Problem.Code, e.Problem.Detail
	if code == "" {
		code = fmt.Sprintf("http_%d", e.Status)
	}
	if detail == "" {
		detail = firstNonEmpty(e.Problem.Title, http.StatusText(e.Status))
	}
	return problemLine(code, detail, e.Problem.Field)
}

// exitCode: a refusal of the request is bad input (2); anything else,
// authentication and server failures included, is a failure (1).
func (e *apiError) exitCode() int {
	switch e.Status {
	case 400, 404, 409, 413, 422:
		return 2
	}
	return 1
}

// netError is a call that got no HTTP answer.
type netError struct {
	server string
	err    error
}

func (e *netError) Error() string {
	var ne net.Error
	if errors.Is(e.err, context.DeadlineExceeded) || errors.As(e.err, &ne) && ne.Timeout() {
		return fmt.Sprintf("depotd at %s did not answer in time (raise --timeout?)", e.server)
	}
	return fmt.Sprintf("cannot reach depotd at %s: %v (is depotd running? check --server or PARTSEDGE_SERVER)", e.server, rootCause(e.err))
}

func (e *netError) Unwrap() error { return e.err }

// rootCause trims url.Error's "Get "...": " and net.OpError's prefixes,
// which repeat what the message already says.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	return err
}

// path joins escaped segments under /api/v1.
func apiPath(segments ...string) string {
	var b strings.Builder
	b.WriteString("/api/v1")
	for _, s := range segments {
		b.WriteByte('/')
		switch s {
		case ".", "..": // would be cleaned away by the server's router
			b.WriteString(strings.Repeat("%2E", len(s)))
		default:
			b.WriteString(url.PathEscape(s))
		}
	}
	return b.String()
}

type request struct {
	method string
	path   string
	query  url.Values
	body   []byte
	key    string // Idempotency-Key
}

// send makes one call and returns the response of a 2xx answer; any other
// answer becomes an *apiError, no answer a *netError. The caller closes the
// body.
func (c *client) send(ctx context.Context, r request) (*http.Response, error) {
	target := c.base + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	retryable := r.method == http.MethodGet || r.key != ""
	wait := c.backoff
	for attempt := 0; ; attempt++ {
		var body io.Reader
		if r.body != nil {
			body = bytes.NewReader(r.body)
		}
		req, err := http.NewRequestWithContext(ctx, r.method, target, body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json, application/problem+json")
		req.Header.Set("User-Agent", "depotctl/"+version())
		if r.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if r.key != "" {
			req.Header.Set("Idempotency-Key", r.key)
		}
		resp, err := c.hc.Do(req)
		var failure error
		switch {
		case err != nil:
			if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, ctx.Err() // interrupted
			}
			failure = &netError{server: c.base, err: err}
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return resp, nil
		default:
			failure = readProblem(resp)
			resp.Body.Close()
		}
		again := retryable && attempt < c.retries && ctx.Err() == nil
		if ae, ok := failure.(*apiError); ok {
			again = again && (ae.Status == 502 || ae.Status == 503 || ae.Status == 504)
		}
		if !again {
			return nil, failure
		}
		select {
		case <-time.After(wait):
			wait *= 2
		case <-ctx.Done():
			return nil, failure
		}
	}
}

func readProblem(resp *http.Response) *apiError {
	e := &apiError{Status: resp.StatusCode}
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && loc != "" {
		e.Problem = problem{Detail: "depotd's address moved to " + loc + ": point --server there"}
		return e
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	ct := resp.Header.Get("Content-Type")
	if strings.Contains(ct, "json") && json.Unmarshal(b, &e.Problem) == nil {
		return e
	}
	// Not a problem document (a proxy's error page, ...): keep a hint of it.
	text := strings.TrimSpace(string(b))
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	e.Problem = problem{Title: http.StatusText(resp.StatusCode), Detail: text}
	if text == "" {
		e.Problem.Detail = http.StatusText(resp.StatusCode)
	}
	return e
}

// call makes a bounded call and returns the answer's body.
func (c *client) call(ctx context.Context, r request) ([]byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, nil, ctx.Err()
		}
		return nil, nil, &netError{server: c.base, err: fmt.Errorf("reading the answer: %w", err)}
	}
	return b, resp.Header, nil
}

// get returns the body of a GET.
func (c *client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	b, _, err := c.call(ctx, request{method: http.MethodGet, path: path, query: q})
	return b, err
}

// getJSON decodes the answer of a GET into out.
func (c *client) getJSON(ctx context.Context, path string, q url.Values, out any) error {
	b, err := c.get(ctx, path, q)
	if err != nil {
		return err
	}
	return decodeAnswer(path, b, out)
}

// post sends body as JSON and returns the answer's body and whether depotd
// replayed an earlier answer to the same Idempotency-Key.
func (c *client) post(ctx context.Context, path string, body any, key string) ([]byte, bool, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, false, err
		}
	}
	b, hdr, err := c.call(ctx, request{method: http.MethodPost, path: path, body: raw, key: key})
	if err != nil {
		return nil, false, err
	}
	return b, strings.EqualFold(hdr.Get("Idempotent-Replayed"), "true"), nil
}

func decodeAnswer(path string, b []byte, out any) error {
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("depotd's answer to %s is not what depotctl expects: %w", path, err)
	}
	return nil
}

// listPage is one page of a list, which depotd may send as a bare JSON
// array or as an object {"items": [...], "next": cursor, "seq": N}.
type listPage struct {
	Items   []json.RawMessage
	HasNext bool // the object named a next page
	Seq     *uint64
	Bare    bool // a bare array: the end is an empty page
}

func decodeList(path string, b []byte) (listPage, error) {
	var p listPage
	p.Items = []json.RawMessage{}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		p.Bare = true
		return p, decodeAnswer(path, b, &p.Items)
	}
	var obj struct {
		Items []json.RawMessage `json:"items"`
		Next  json.RawMessage   `json:"next"`
		Seq   *uint64           `json:"seq"`
	}
	if err := decodeAnswer(path, b, &obj); err != nil {
		return p, err
	}
	if obj.Items != nil {
		p.Items = obj.Items
	}
	p.Seq = obj.Seq
	p.HasNext = len(obj.Next) > 0 && string(obj.Next) != "null"
	return p, nil
}

// decodeItems decodes a page's items, keeping the raw form for JSON output.
func decodeItems[T any](path string, raws []json.RawMessage) ([]T, error) {
	out := make([]T, len(raws))
	for i, r := range raws {
		if err := decodeAnswer(path, r, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// listAll walks a catalogue list (parts, locations) page by page with
// ?after=KEY, until an empty page or no next page, or max items (0: all).
func listAll[T any](ctx context.Context, c *client, path, after string, max int, key func(T) string) ([]T, []json.RawMessage, error) {
	const pageSize = 500
	items, raws := []T{}, []json.RawMessage{}
	for {
		limit := pageSize
		if max > 0 {
			limit = min(limit, max-len(items))
		}
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if after != "" {
			q.Set("after", after)
		}
		b, err := c.get(ctx, path, q)
		if err != nil {
			return nil, nil, err
		}
		page, err := decodeList(path, b)
		if err != nil {
			return nil, nil, err
		}
		got, err := decodeItems[T](path, page.Items)
		if err != nil {
			return nil, nil, err
		}
		items, raws = append(items, got...), append(raws, page.Items...)
		if len(got) == 0 || (!page.Bare && !page.HasNext) || (max > 0 && len(items) >= max) {
			return items, raws, nil
		}
		next := key(got[len(got)-1])
		if next <= after {
			return nil, nil, fmt.Errorf("depotd's %s pages do not advance (after %q)", path, after)
		}
		after = next
	}
}

// newKey returns a random Idempotency-Key.
func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return "depotctl-" + hex.EncodeToString(b[:])
}

// catalogList is the shape of "parts list" and "locations list": page
// through a catalogue in key order and print it as a table or JSON.
type catalogList[T any] struct {
	resource, key, noun string // "locations", "CODE", "location code"
	summary             string
	keyOf               func(T) string
	head                []string
	cells               func(T) []string
}

func runCatalogList[T any](a *app, name string, args []string, l catalogList[T]) error {
	fs := a.newFlags(name, "[--after "+l.key+"] [--limit N] [--format table|json]", l.summary)
	fs.connFlags()
	after := fs.fs.String("after", "", "start after this "+l.noun)
	limit := fs.fs.Int("limit", 0, "at most this many "+l.resource+" (default: all)")
	format := fs.addFormat("table", "json")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	c, err := a.client(defaultTimeout)
	if err != nil {
		return err
	}
	items, raws, err := listAll(a.ctx, c, apiPath(l.resource), *after, *limit, l.keyOf)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(a.stdout, raws)
	}
	t := &table{head: l.head}
	for _, it := range items {
		t.add(l.cells(it)...)
	}
	return t.write(a.stdout)
}
