package rfid

import (
	"context"
	"time"
)

// Run owns s: it takes reads from in, sweeps on every tick, and hands each
// event to emit, until ctx ends or in is closed; then it flushes, so every
// tag reported seen is also reported gone. tick is injected so tests (and
// the device manager's clock) decide when time passes; a real pipeline
// passes time.NewTicker(cfg.AbsentAfter/4).C.
func Run(ctx context.Context, s *Smoother, in <-chan Read, tick <-chan time.Time, emit func(Event)) {
	out := make([]Event, 0, 16)
	send := func() {
		for _, e := range out {
			emit(e)
		}
		out = out[:0]
	}
	defer func() {
		out = s.Flush(out[:0])
		send()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case r, ok := <-in:
			if !ok {
				return
			}
			out = s.Observe(r, out)
			send()
		case now := <-tick:
			out = s.Sweep(now, out)
			send()
		}
	}
}
