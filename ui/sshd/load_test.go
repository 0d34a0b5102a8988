package sshd

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"offduty/store"
)

// The load test: many SSH sessions on loopback typing into the request form
// at once. It is not part of `go test ./...`: run it with
//
//	go test ./ui/sshd -run '^$' -bench SSHTyping -benchtime 1x
//	OFFDUTY_LOAD=1 go test ./ui/sshd -run TestLoad -v
//
// OFFDUTY_LOAD_SESSIONS changes the number of sessions (default 50),
// OFFDUTY_LOAD_KPS the keys a second each types (default 5), OFFDUTY_LOAD_FPS
// the sessions' frame rate (default sessionFPS). The figures count the
// clients too: they run in the same process.

// What each session types: a new customer's name in the Customer field, then
// (8 tabs on) a date, a start and an end.
var loadScript = []struct {
	tabs int    // tabs pressed before typing
	text string // typed, one key at a time, each one measured
}{
	{0, "Zqx Vorbeck Jwyl"},
	{8, "12/24"},
	{1, "6pm"},
	{1, "10pm"},
}

type loadResult struct {
	sessions      int
	keys          int
	latencies     []time.Duration // key sent -> the frame holding it received
	keyBytes      []int           // bytes received per typed key
	firstFrame    []int           // bytes of each session's first screen
	missed        int             // keys whose echo never came
	heapBefore    uint64          // HeapAlloc with the server up and no session
	heapOpen      uint64          // ... with every session open and drawn
	heapTyped     uint64          // ... after the typing
	setup, typing time.Duration
	cpu           time.Duration // CPU time of the process (server and clients) while typing
	idleCPU       float64       // share of one core used with every session open and nobody typing
}

func (r *loadResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func mean(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	t := 0
	for _, x := range xs {
		t += x
	}
	return float64(t) / float64(len(xs))
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func (r *loadResult) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d sessions typing %d keys/s each, %d keys (%d without echo), %d fps, GOMAXPROCS %d, setup %v, typing %v (%.0f keys/s in all)\n",
		r.sessions, loadKeysPerSecond(), r.keys, r.missed, sessionFPS, runtime.GOMAXPROCS(0), r.setup.Round(time.Millisecond),
		r.typing.Round(time.Millisecond), float64(r.keys)/r.typing.Seconds())
	fmt.Fprintf(&b, "keystroke echo latency: p50 %v, p90 %v, p99 %v, max %v (goal p99 <= 20ms)\n",
		r.quantile(0.50).Round(10*time.Microsecond), r.quantile(0.90).Round(10*time.Microsecond),
		r.quantile(0.99).Round(10*time.Microsecond), r.quantile(1).Round(10*time.Microsecond))
	if r.cpu > 0 {
		fmt.Fprintf(&b, "CPU (server and clients, one process): %.0f%% of one core while typing, %.2f ms a key; %.1f%% with the sessions open and idle\n",
			100*r.cpu.Seconds()/r.typing.Seconds(), float64(r.cpu.Microseconds())/1000/float64(max(r.keys, 1)), 100*r.idleCPU)
	}
	ff, kb := mean(r.firstFrame), mean(r.keyBytes)
	fmt.Fprintf(&b, "bytes per keystroke: mean %.0f B vs first screen %.0f B = %.1f%% (goal <= 5%%)\n", kb, ff, 100*kb/ff)
	fmt.Fprintf(&b, "heap (server and clients, one process): %.1f MB idle server, %.1f MB with sessions open (%.0f KB each), %.1f MB after typing\n",
		float64(r.heapBefore)/(1<<20), float64(r.heapOpen)/(1<<20), (float64(r.heapOpen)-float64(r.heapBefore))/float64(r.sessions)/1024,
		float64(r.heapTyped)/(1<<20))
	return b.String()
}

// echoAt is when the first output after offset `from` that shows c arrived.
func (tm *term) echoAt(from int, c byte) (time.Time, bool) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	off := 0
	var seen strings.Builder
	for _, ch := range tm.reads {
		end := off + ch.n
		if end > from {
			b := ch.b
			if off < from {
				b = b[from-off:]
			}
			seen.Write(b)
			if strings.IndexByte(ansi.Strip(seen.String()), c) >= 0 {
				return ch.at, true
			}
		}
		off = end
	}
	return time.Time{}, false
}

func runLoad(tb testing.TB, sessions int) *loadResult {
	loadFPS()
	st := seededStore(tb)
	ts := startServer(tb, st, func(c *Config) { c.MaxSessions = sessions + 10 })
	key := addUser(tb, st, "olive", store.RoleOperator, 0)
	r := &loadResult{sessions: sessions}
	r.heapBefore = heapAlloc()

	start := time.Now()
	terms := make([]*term, sessions)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for i := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tm, err := openTerm(tb, ts.addr, key, true)
			if err == nil && !tm.waitFor(30*time.Second, "offduty", "Requests") {
				err = fmt.Errorf("no console: %q", tm.text())
			}
			if err != nil {
				mu.Lock()
				failed = append(failed, err.Error())
				mu.Unlock()
				return
			}
			tm.settle(300*time.Millisecond, 10*time.Second)
			terms[i] = tm
		}()
	}
	wg.Wait()
	if len(failed) > 0 {
		tb.Fatalf("%d of %d sessions failed: %s", len(failed), sessions, failed[0])
	}
	r.setup = time.Since(start)
	for _, tm := range terms {
		r.firstFrame = append(r.firstFrame, tm.outLen())
	}
	r.heapOpen = heapAlloc()
	c0, t0 := cpuTime(), time.Now()
	time.Sleep(3 * time.Second)
	r.idleCPU = (cpuTime() - c0).Seconds() / time.Since(t0).Seconds()

	start = time.Now()
	cpu0 := cpuTime()
	for _, tm := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
			gap := time.Second / time.Duration(loadKeysPerSecond()) // between keys, on average
			think := func() { time.Sleep(gap/2 + time.Duration(rng.Int64N(int64(gap)))) }
			time.Sleep(time.Duration(rng.Int64N(int64(time.Second)))) // people do not start in step
			from := tm.outLen()
			tm.send("n")
			if !tm.waitForSince(from, 10*time.Second, "Customer") {
				mu.Lock()
				failed = append(failed, "no form")
				mu.Unlock()
				return
			}
			tm.settle(100*time.Millisecond, 2*time.Second)
			var lat []time.Duration
			var bytes []int
			missed := 0
			for _, step := range loadScript {
				for range step.tabs {
					tm.send(keyTab)
					think()
				}
				for i := 0; i < len(step.text); i++ {
					c := step.text[i]
					n0 := tm.outLen()
					sent := time.Now()
					tm.send(string(c))
					deadline := time.Now().Add(2 * time.Second)
					var at time.Time
					ok := false
					for !ok && time.Now().Before(deadline) {
						if at, ok = tm.echoAt(n0, c); !ok {
							select {
							case <-tm.more:
							case <-time.After(20 * time.Millisecond):
							}
						}
					}
					if !ok {
						missed++
					} else if c != ' ' {
						lat = append(lat, at.Sub(sent))
					}
					think()
					bytes = append(bytes, tm.outLen()-n0)
				}
			}
			mu.Lock()
			r.latencies = append(r.latencies, lat...)
			r.keyBytes = append(r.keyBytes, bytes...)
			r.keys += len(bytes)
			r.missed += missed
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.typing = time.Since(start)
	r.cpu = cpuTime() - cpu0
	if len(failed) > 0 {
		tb.Fatalf("%d sessions failed while typing: %s", len(failed), failed[0])
	}
	r.heapTyped = heapAlloc()
	for _, tm := range terms {
		tm.close()
	}
	return r
}

// loadKeysPerSecond is each session's typing speed: OFFDUTY_LOAD_KPS, or 5
// (60 words a minute: a fast typist who never stops; 50 of them at once).
func loadKeysPerSecond() int {
	if n, err := strconv.Atoi(os.Getenv("OFFDUTY_LOAD_KPS")); err == nil && n > 0 {
		return n
	}
	return 5
}

// loadFPS lets OFFDUTY_LOAD_FPS change the sessions' frame rate, to compare.
func loadFPS() {
	if n, err := strconv.Atoi(os.Getenv("OFFDUTY_LOAD_FPS")); err == nil && n > 0 {
		sessionFPS = n
	}
}

func loadSessions() int {
	if n, err := strconv.Atoi(os.Getenv("OFFDUTY_LOAD_SESSIONS")); err == nil && n > 0 {
		return n
	}
	return 50
}

// TestLoad runs the load test when OFFDUTY_LOAD=1, and checks the goals.
func TestLoad(t *testing.T) {
	if os.Getenv("OFFDUTY_LOAD") != "1" {
		t.Skip("set OFFDUTY_LOAD=1 to run the SSH load test")
	}
	r := runLoad(t, loadSessions())
	t.Log("\n" + r.report())
	if p99 := r.quantile(0.99); p99 > 20*time.Millisecond {
		t.Errorf("p99 keystroke echo %v, goal 20ms", p99)
	}
	if share := mean(r.keyBytes) / mean(r.firstFrame); share > 0.05 {
		t.Errorf("a keystroke sends %.1f%% of a full screen, goal 5%%", 100*share)
	}
	if r.missed > 0 {
		t.Errorf("%d keys never echoed", r.missed)
	}
}

// BenchmarkSSHTyping is the load test as a benchmark (skipped under -short).
func BenchmarkSSHTyping(b *testing.B) {
	if testing.Short() {
		b.Skip("the SSH load test is long")
	}
	var r *loadResult
	for b.Loop() {
		r = runLoad(b, loadSessions())
	}
	b.ReportMetric(float64(r.quantile(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.quantile(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(mean(r.keyBytes), "B/key")
	b.ReportMetric(mean(r.firstFrame), "B/screen")
	b.ReportMetric(float64(r.heapOpen-min(r.heapOpen, r.heapBefore))/float64(r.sessions)/1024, "heapKB/session")
	b.Log("\n" + r.report())
}
