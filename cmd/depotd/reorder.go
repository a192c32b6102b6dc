package main

import (
	"context"
	"log/slog"

	"github.com/partsedge/partsedge/inventory"
)

// runReorder starts the reorder watcher: it evaluates every policy once at
// start (so a signal whose triggering event committed just before a crash
// is raised now) and then follows the log. The returned channel closes
// when it has stopped, which must happen before the store closes.
func runReorder(ctx context.Context, st *inventory.Store, log *slog.Logger) <-chan struct{} {
	w := inventory.NewReorderWatcher(st, inventory.ReorderWatchOptions{Log: log.With("component", "reorder")})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("reorder watcher stopped", "err", err)
		}
	}()
	return done
}
