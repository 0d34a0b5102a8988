package store

import (
	"context"
	"sync"
	"time"
)

// watcher tells waiters when the database changed, whoever changed it: this
// process's writes wake them at once, and PRAGMA data_version, polled on a
// connection of its own, catches other processes on the same file.
type watcher struct {
	mu      sync.Mutex
	waiters map[chan struct{}]struct{}
	started bool
	stop    chan struct{}
}

func (s *Store) notify() {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	for ch := range s.watch.waiters {
		close(ch)
		delete(s.watch.waiters, ch)
	}
}

// pollInterval is how often another process's changes are looked for.
const pollInterval = 250 * time.Millisecond

func (s *Store) startWatch() {
	if s.pg != nil {
		s.startWatchPG()
		return
	}
	s.watch.started = true
	s.watch.stop = make(chan struct{})
	go func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		conn, err := s.r.Conn(ctx)
		if err != nil {
			return
		}
		defer conn.Close()
		var last int64 = -1
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		for {
			var v int64
			if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err == nil {
				if last >= 0 && v != last {
					s.notify()
				}
				last = v
			}
			select {
			case <-s.watch.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// WaitChange blocks until the database changes (here or in another process
// on the same file), the timeout passes or ctx ends, and reports whether it
// changed. The console waits with it to refresh what it shows.
func (s *Store) WaitChange(ctx context.Context, timeout time.Duration) bool {
	ch := make(chan struct{})
	s.watch.mu.Lock()
	if s.watch.waiters == nil {
		s.watch.waiters = map[chan struct{}]struct{}{}
	}
	if !s.watch.started {
		s.startWatch()
	}
	s.watch.waiters[ch] = struct{}{}
	s.watch.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	s.watch.mu.Lock()
	delete(s.watch.waiters, ch)
	s.watch.mu.Unlock()
	return false
}

func (s *Store) stopWatch() {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	if s.watch.started {
		close(s.watch.stop)
		s.watch.started = false
	}
}
