package sshd

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"offduty/store"
)

func TestZZHeap(t *testing.T) {
	st := seededStore(t)
	ts := startServer(t, st, nil)
	key := addUser(t, st, "olive", store.RoleOperator, 0)
	for i := 0; i < 20; i++ {
		tm := connect(t, ts.addr, key)
		tm.waitFor(5*time.Second, "Requests")
		tm.settle(200*time.Millisecond, 3*time.Second)
	}
	runtime.GC()
	f, _ := os.Create("/tmp/heap.out")
	pprof.WriteHeapProfile(f)
	f.Close()
}
