package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Options configure a Store. The zero value of every field but Dir and Depot
// is a sensible default for a small edge box.
type Options struct {
	Dir   string
	Depot string
	Clock Clock
	Log   *slog.Logger
	// MemTableSize bounds Badger's write buffer; one transaction may carry
	// about 15% of it, so it also bounds a group-commit batch.
	MemTableSize   int64
	BlockCacheSize int64
	IndexCacheSize int64
	// GCInterval is how often value-log GC runs; negative disables it.
	GCInterval time.Duration
	// MaxBatch caps how many commands share one transaction and one fsync.
	MaxBatch int
	// ExpiryWindow is how far ahead a lot's expiry makes it a lot-expiring
	// reminder; 0 means DefaultExpiryWindow.
	ExpiryWindow time.Duration
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = 16 << 20
	}
	if o.BlockCacheSize == 0 {
		o.BlockCacheSize = 16 << 20
	}
	if o.IndexCacheSize == 0 {
		o.IndexCacheSize = 8 << 20
	}
	if o.GCInterval == 0 {
		o.GCInterval = 10 * time.Minute
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = 512
	}
	if o.ExpiryWindow <= 0 {
		o.ExpiryWindow = DefaultExpiryWindow
	}
}

// ErrLocked is returned by Open when another process (a running depotd)
// holds the store.
var ErrLocked = errors.New("the store is in use by another process")

// ErrNoStore is returned by Open without a depot id for a folder that holds
// no store.
var ErrNoStore = errors.New("no Partsedge store")

// Head is the end of the log: the last seq and hash, and the epoch.
type Head struct {
	Seq   uint64 `json:"seq"`
	Epoch uint32 `json:"epoch"`
	Hash  string `json:"hash"`
	HLC   uint64 `json:"hlc"`
}

// Store is the depot's ledger on Badger. All writes go through one committer
// goroutine that packs concurrent commands into a shared transaction, so many
// writers share one fsync while seq stays gapless and every rule is checked
// against the state the previous command left.
type Store struct {
	db    *badger.DB
	opts  Options
	log   *slog.Logger
	clock *hlc

	reqs    chan *request
	closing chan struct{}
	wg      sync.WaitGroup
	closeMu sync.Once

	// usersMu serialises user creation: the committer does not see users,
	// and Badger's conflict detection is off.
	usersMu sync.Mutex

	mu   sync.RWMutex
	head Head
}

type request struct {
	cmd  Command
	done chan reply
}

type reply struct {
	res Result
	err error
}

// Open opens (or creates) the store in opts.Dir for depot opts.Depot. A store
// created for one depot refuses to open as another. With Depot empty, Open
// adopts the depot of an existing store (offline tools) and refuses to
// create one.
func Open(opts Options) (*Store, error) {
	opts.defaults()
	if opts.Depot != "" {
		if err := checkCode("depot", opts.Depot); err != nil {
			return nil, err
		}
	}
	if opts.Depot == "" {
		// Adopting: refuse before Badger would create a store in a wrong folder.
		if _, err := os.Stat(filepath.Join(opts.Dir, "MANIFEST")); err != nil {
			return nil, fmt.Errorf("%s holds no Partsedge store: %w", opts.Dir, ErrNoStore)
		}
	}
	db, err := badger.Open(badgerOptions(opts))
	if err != nil {
		// Badger reports its directory lock as text only.
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("open %s: %w", opts.Dir, ErrLocked)
		}
		return nil, fmt.Errorf("open badger store in %s: %w", opts.Dir, err)
	}
	s := &Store{
		db: db, opts: opts, log: opts.Log,
		clock:   &hlc{clock: opts.Clock},
		reqs:    make(chan *request),
		closing: make(chan struct{}),
	}
	if err := s.loadHead(); err != nil {
		db.Close()
		return nil, err
	}
	s.wg.Add(1)
	go s.commitLoop()
	if opts.GCInterval > 0 {
		s.wg.Add(1)
		go s.gcLoop(opts.GCInterval)
	}
	return s, nil
}

func badgerOptions(o Options) badger.Options {
	bo := badger.DefaultOptions(o.Dir).
		WithSyncWrites(true).
		WithLogger(badgerLogger{o.Log}).
		WithMemTableSize(o.MemTableSize).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(o.BlockCacheSize).
		WithIndexCacheSize(o.IndexCacheSize).
		WithBaseTableSize(4 << 20).
		WithValueLogFileSize(64 << 20).
		// Events are small and live in the LSM tree; only rare large values
		// (an event with thousands of serials) go to the value log.
		WithValueThreshold(64 << 10).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompression(options.Snappy).
		WithMetricsEnabled(false).
		// One committer writes; Badger's conflict tracking would only cost memory.
		WithDetectConflicts(false)
	return bo
}

func (s *Store) loadHead() error {
	return s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(keyDepot)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			if s.opts.Depot == "" {
				return fmt.Errorf("%s holds no Partsedge store: %w", s.opts.Dir, ErrNoStore)
			}
			if err := txn.Set(keyDepot, []byte(s.opts.Depot)); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("read depot id: %w", err)
		default:
			v, err := item.ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("read depot id: %w", err)
			}
			if s.opts.Depot == "" {
				s.opts.Depot = string(v)
			} else if string(v) != s.opts.Depot {
				return fmt.Errorf("the store in %s belongs to depot %q, not %q", s.opts.Dir, v, s.opts.Depot)
			}
		}
		item, err = txn.Get(keyHead)
		if errors.Is(err, badger.ErrKeyNotFound) {
			s.head = Head{Epoch: 1}
			return nil
		}
		if err != nil {
			return fmt.Errorf("read head: %w", err)
		}
		return item.Value(func(v []byte) error {
			if err := json.Unmarshal(v, &s.head); err != nil {
				return fmt.Errorf("decode head: %w", err)
			}
			s.clock.observe(s.head.HLC)
			return nil
		})
	})
}

// read runs fn in a read-only snapshot. After Close it answers ErrClosed
// rather than Badger's own error, so callers map one error, not two.
func (s *Store) read(fn func(txn *badger.Txn) error) error {
	select {
	case <-s.closing:
		return ErrClosed
	default:
	}
	err := s.db.View(fn)
	if errors.Is(err, badger.ErrDBClosed) {
		return ErrClosed
	}
	return err
}

// Depot is the id of the depot this store belongs to.
func (s *Store) Depot() string { return s.opts.Depot }

// Head returns the end of the log as last committed.
func (s *Store) Head() Head {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.head
}

// Close stops accepting writes, waits for the committer and closes Badger.
func (s *Store) Close() error {
	var err error
	s.closeMu.Do(func() {
		close(s.closing)
		s.wg.Wait()
		err = s.db.Close()
	})
	return err
}

// Append validates cmd against the current state and appends its event.
// Nothing is written when an error is returned, except that a context
// cancelled while the command waits on the commit may still let it commit:
// retry with the same idempotency key to learn the outcome.
func (s *Store) Append(ctx context.Context, cmd Command) (Result, error) {
	if err := cmd.check(); err != nil {
		return Result{}, err
	}
	req := &request{cmd: cmd, done: make(chan reply, 1)}
	select {
	case s.reqs <- req:
	case <-s.closing:
		return Result{}, ErrClosed
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case r := <-req.done:
		return r.res, r.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

func (s *Store) commitLoop() {
	defer s.wg.Done()
	batch := make([]*request, 0, s.opts.MaxBatch)
	for {
		select {
		case r := <-s.reqs:
			batch = append(batch[:0], r)
		case <-s.closing:
			return
		}
		// Whoever queued up while the last fsync ran shares the next one.
	fill:
		for len(batch) < s.opts.MaxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		for len(batch) > 0 {
			n := s.commitSome(batch)
			batch = batch[n:]
		}
	}
}

// commitSome applies a prefix of batch in one transaction and commits it,
// answering every request in that prefix. It returns the prefix's length.
func (s *Store) commitSome(batch []*request) int {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	head := s.Head()
	replies := make([]reply, len(batch))
	wrote := false
	for i, req := range batch {
		res, writes, newHead, err := s.prepare(txn, head, req.cmd)
		if err != nil {
			replies[i].err = err
			continue
		}
		if err := writes.apply(txn); err != nil {
			if errors.Is(err, badger.ErrTxnTooBig) {
				txn.Discard()
				if i == 0 {
					req.done <- reply{err: errf(CodeTooLarge, "", "the command is too large for one transaction: split it")}
					return 1
				}
				// Everything before i fitted; commit that and let the
				// caller start the rest in a fresh transaction.
				return s.commitSome(batch[:i])
			}
			replies[i].err = fmt.Errorf("stage event: %w", err)
			continue
		}
		replies[i].res = res
		if !res.Replayed {
			head = newHead
			wrote = true
		}
	}
	if wrote {
		hb, _ := json.Marshal(head)
		if err := txn.Set(keyHead, hb); err != nil {
			// The head is a few bytes; a batch that cannot take it is one
			// command too long. Leave the last one for the next transaction.
			txn.Discard()
			if len(batch) == 1 {
				batch[0].done <- reply{err: errf(CodeTooLarge, "", "the command is too large for one transaction: split it")}
				return 1
			}
			return s.commitSome(batch[:len(batch)-1])
		}
		if err := txn.Commit(); err != nil {
			err = fmt.Errorf("commit events: %w", err)
			s.log.Error("commit failed", "err", err)
			// A replay in this batch may point at an event of this batch, so
			// every answer that is not already a refusal becomes the error.
			for i := range replies {
				if replies[i].err == nil {
					replies[i] = reply{err: err}
				}
			}
		} else {
			s.mu.Lock()
			s.head = head
			s.mu.Unlock()
		}
	}
	for i, req := range batch {
		req.done <- replies[i]
	}
	return len(batch)
}

func (s *Store) gcLoop(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
			s.RunGC()
		}
	}
}

// RunGC rewrites value-log files that are mostly garbage until none is left.
func (s *Store) RunGC() {
	for i := 0; i < 16; i++ {
		err := s.db.RunValueLogGC(0.5)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return
		}
		if err != nil {
			s.log.Warn("value-log GC", "err", err)
			return
		}
	}
}

// BadgerLogger routes Badger's log through l: errors and warnings as
// such, its chatty info as debug. HQ's store uses it too.
func BadgerLogger(l *slog.Logger) badger.Logger { return badgerLogger{l} }

type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Infof(f string, a ...any) {
	b.l.Debug(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Debugf(string, ...any) {}
