package runner

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout is how long a stopping daemon lets in-flight requests
// finish before it cuts them.
const ShutdownTimeout = 10 * time.Second

// NewServer is an HTTP server for h with the daemons' limits: headers,
// bodies and idle connections are bounded so a slow or stuck client cannot
// hold a connection for ever. writeTimeout 0 leaves answers unbounded (a
// depot's backup streams for as long as the store is big).
func NewServer(h http.Handler, log *slog.Logger, writeTimeout time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serving is a server accepting on its listener.
type Serving struct {
	srv    *http.Server
	log    *slog.Logger
	served chan error
}

// Serve starts srv on ln.
func Serve(srv *http.Server, ln net.Listener, log *slog.Logger) *Serving {
	s := &Serving{srv: srv, log: log, served: make(chan error, 1)}
	go func() { s.served <- srv.Serve(ln) }()
	return s
}

// Until serves until ctx ends or the server fails. On the way out it calls
// stopping (so /readyz turns the daemon away first), stops accepting, and
// lets in-flight requests finish for up to ShutdownTimeout; requests still
// running then are cut, and whatever they had not committed is not written.
func (s *Serving) Until(ctx context.Context, stopping func()) error {
	select {
	case err := <-s.served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stopping()
	s.log.Info("shutting down: finishing in-flight requests", "timeout", ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		s.log.Warn("in-flight requests did not finish in time; closing their connections", "err", err)
		s.srv.Close()
	}
	return nil
}
