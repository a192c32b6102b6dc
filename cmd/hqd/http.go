package main

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/partsedge/partsedge/replication/hq"
)

// newHandler serves health, metrics and the read API over h. Every
// /api/v1 route needs the admin bearer token.
func newHandler(h *hq.HQ, token string, ready func() bool, log *slog.Logger) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(h, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready() {
			problem(w, http.StatusServiceUnavailable, "not_ready", "not subscribed to the broker")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/depots", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"depots": h.Depots()})
	})
	api.HandleFunc("GET /api/v1/depots/{id}", func(w http.ResponseWriter, r *http.Request) {
		d, ok := h.Depot(r.PathValue("id"))
		if !ok {
			problem(w, http.StatusNotFound, "not_found", "no such depot")
			return
		}
		writeJSON(w, http.StatusOK, d)
	})
	api.HandleFunc("GET /api/v1/depots/{id}/events", func(w http.ResponseWriter, r *http.Request) {
		after, limit, err := page(r)
		if err != nil {
			problem(w, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		evs, err := h.Events(r.PathValue("id"), after, limit)
		if errors.Is(err, hq.ErrUnknownDepot) {
			problem(w, http.StatusNotFound, "not_found", "no such depot")
			return
		}
		if err != nil {
			log.Error("read events", "err", err)
			problem(w, http.StatusInternalServerError, "internal", "the store failed")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"depot": r.PathValue("id"), "events": evs})
	})
	mux.Handle("/api/v1/", bearer(token, api))
	return mux
}

// page reads ?after= (a seq, default 0) and ?limit= (1..hq.MaxEvents).
func page(r *http.Request) (after uint64, limit int, err error) {
	q := r.URL.Query()
	if s := q.Get("after"); s != "" {
		if after, err = strconv.ParseUint(s, 10, 64); err != nil {
			return 0, 0, errors.New("after must be a seq (a whole number)")
		}
	}
	limit = hq.MaxEvents
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > hq.MaxEvents {
			return 0, 0, errors.New("limit must be 1 to " + strconv.Itoa(hq.MaxEvents))
		}
	}
	return after, limit, nil
}

// bearer lets through requests that carry the admin token; it compares in
// constant time so the token cannot be guessed byte by byte.
func bearer(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="partsedge-hq"`)
			problem(w, http.StatusUnauthorized, "unauthenticated", "a valid bearer token is required")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// problem writes an RFC 9457 problem in the shape depotd's API uses.
func problem(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"type": "https://partsedge.dev/problems/" + code, "title": http.StatusText(status),
		"status": status, "detail": detail, "code": code,
	})
}
