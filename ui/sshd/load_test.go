package sshd

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"offduty/store"
)

// The load test: many SSH sessions on loopback typing into the request form
// at once. The server runs in the test's process; the clients (the load
// generator) run in a second process, this test binary started again with
// OFFDUTY_LOADGEN=1, so the server's CPU time and memory are its own. It is
// not part of `go test ./...` (TestLoadSmoke, a few sessions, is): run it with
//
//	go test ./ui/sshd -run '^$' -bench SSHTyping -benchtime 1x
//	OFFDUTY_LOAD=1 go test ./ui/sshd -run 'TestLoad$' -v
//
// Both run the two scenarios of the goals: 50 sessions typing 10 keys a
// second each (p99 key to echo <= 20 ms) and 200 typing 2 a second (<= 30
// ms); -bench SSHTyping/50x10 picks one. OFFDUTY_LOAD_SESSIONS and
// OFFDUTY_LOAD_KPS run one scenario of their own instead, OFFDUTY_LOAD_FPS
// sets sessionFPS, and OFFDUTY_LOAD_PROFILE=DIR writes the server's CPU
// profile while everyone types (DIR/cpu-SCENARIO.pprof) and while nobody
// does (DIR/cpu-idle-SCENARIO.pprof), and its heap with every session
// open, just drawn and after 3 s idle
// (DIR/heap-open-SCENARIO.pprof, DIR/heap-idle-SCENARIO.pprof).
//
// The report gives the server's CPU time per key sent (its own rusage over
// the typing), its heap per session (after GC, against the heap before the
// sessions), the machine's other load while typing (/proc/stat), and when
// the keys slower than the goal were typed.

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

// loadScenario is a number of sessions each typing at a speed, and the p99
// key-to-echo goal there.
type loadScenario struct {
	sessions, kps int
	goal          time.Duration
	idle          time.Duration // measured with every session open, before the typing
}

func (s loadScenario) name() string { return fmt.Sprintf("%dx%d", s.sessions, s.kps) }

// loadScenarios are the goals' two (issue 16), or the one the environment asks for.
func loadScenarios() []loadScenario {
	n, nerr := strconv.Atoi(os.Getenv("OFFDUTY_LOAD_SESSIONS"))
	k, kerr := strconv.Atoi(os.Getenv("OFFDUTY_LOAD_KPS"))
	if (nerr == nil && n > 0) || (kerr == nil && k > 0) {
		if nerr != nil || n <= 0 {
			n = 50
		}
		if kerr != nil || k <= 0 {
			k = 10
		}
		goal := 20 * time.Millisecond
		if n > 50 {
			goal = 30 * time.Millisecond
		}
		return []loadScenario{{n, k, goal, 3 * time.Second}}
	}
	return []loadScenario{{50, 10, 20 * time.Millisecond, 3 * time.Second}, {200, 2, 30 * time.Millisecond, 3 * time.Second}}
}

// loadFPS lets OFFDUTY_LOAD_FPS change sessionFPS, and
// OFFDUTY_LOAD_SCREEN_IDLE screenIdle, to compare.
func loadFPS() {
	if n, err := strconv.Atoi(os.Getenv("OFFDUTY_LOAD_FPS")); err == nil && n > 0 {
		sessionFPS = n
	}
	if d, err := time.ParseDuration(os.Getenv("OFFDUTY_LOAD_SCREEN_IDLE")); err == nil && d > 0 {
		setScreenIdle(d)
	}
}

// memSample is the server process's memory after a GC.
type memSample struct {
	heapInuse, heapAlloc, stackInuse uint64
	goroutines                       int
}

func sampleMem() memSample {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memSample{heapInuse: m.HeapInuse, heapAlloc: m.HeapAlloc, stackInuse: m.StackInuse, goroutines: runtime.NumGoroutine()}
}

// loadReport is what the load generator sends back after the typing.
type loadReport struct {
	Latencies []time.Duration // key sent -> the first output showing it received
	KeyBytes  []int           // bytes received per typed key
	Keys      int             // keys sent while typing (the form's "n", tabs, typed keys)
	Missed    int             // typed keys whose echo never came
	Typing    time.Duration   // from "type" to the last session done
	CPU       time.Duration   // the load generator's CPU time while typing
	Slow      []time.Duration // when (since "type") each key slower than the goal was sent
	Failed    []string
}

// loadOpen is what the load generator sends once every session is open.
type loadOpen struct {
	FirstFrame []int // bytes of each session's first screen
	Setup      time.Duration
	Failed     []string
}

type loadResult struct {
	sc                    loadScenario
	open                  loadOpen
	typed                 loadReport
	before, opened, idled memSample     // server: no session, every session open and drawn, the same 3 s later (idle)
	after                 memSample     // server: after the typing
	cpu                   time.Duration // server process CPU time while typing
	idleCPU               float64       // server: share of one core with every session open and nobody typing
	loadAvg               string        // /proc/loadavg when the typing ended
	machineCPU            time.Duration // CPU time of the whole machine (all processes) while typing; 0 if unknown
	wall                  time.Duration // the typing, as the server saw it
}

func (r *loadResult) quantile(q float64) time.Duration {
	if len(r.typed.Latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.typed.Latencies)
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

func (r *loadResult) typedKeys() int { return len(r.typed.KeyBytes) }

// cpuPerKey is the server's CPU time per key it was sent while typing, in ms.
func (r *loadResult) cpuPerKey() float64 {
	return float64(r.cpu.Microseconds()) / 1000 / float64(max(r.typed.Keys, 1))
}

// perSession is a memory figure's growth per open session, in KB, with
// the sessions just drawn (or idle for 3 s).
func (r *loadResult) perSession(f func(memSample) uint64, idle bool) float64 {
	m := r.opened
	if idle {
		m = r.idled
	}
	return (float64(f(m)) - float64(f(r.before))) / float64(r.sc.sessions) / 1024
}

func (r *loadResult) report() string {
	var b strings.Builder
	ty := r.typed
	fmt.Fprintf(&b, "%d sessions typing %d keys/s each (load generator in its own process), %d keys sent (%d typed and timed, %d without echo), ticker %d/s, GOMAXPROCS %d, setup %v, typing %v (%.0f keys/s in all); load average %s\n",
		r.sc.sessions, r.sc.kps, ty.Keys, r.typedKeys(), ty.Missed, sessionFPS, runtime.GOMAXPROCS(0), r.open.Setup.Round(time.Millisecond),
		ty.Typing.Round(time.Millisecond), float64(ty.Keys)/ty.Typing.Seconds(), r.loadAvg)
	fmt.Fprintf(&b, "key to echo: p50 %v, p90 %v, p99 %v, max %v (goal p99 <= %v)\n",
		r.quantile(0.50).Round(10*time.Microsecond), r.quantile(0.90).Round(10*time.Microsecond),
		r.quantile(0.99).Round(10*time.Microsecond), r.quantile(1).Round(10*time.Microsecond), r.sc.goal)
	if r.cpu > 0 {
		fmt.Fprintf(&b, "server CPU: %.0f%% of one core while typing, %.3f ms a key (goal <= 1 ms); %.1f%% with the sessions open and idle; load generator %.3f ms a key\n",
			100*r.cpu.Seconds()/ty.Typing.Seconds(), r.cpuPerKey(), 100*r.idleCPU,
			float64(ty.CPU.Microseconds())/1000/float64(max(ty.Keys, 1)))
	}
	if r.machineCPU > 0 {
		other := r.machineCPU - r.cpu - ty.CPU
		fmt.Fprintf(&b, "machine while typing: %.0f%% of its %d cores busy; other processes (not the server, not the load generator) %.0f%% of one core\n",
			100*r.machineCPU.Seconds()/r.wall.Seconds()/float64(runtime.NumCPU()), runtime.NumCPU(), 100*other.Seconds()/r.wall.Seconds())
	}
	if len(ty.Slow) > 0 {
		fmt.Fprintf(&b, "keys over %v by second of the typing: %s\n", r.sc.goal, slowBySecond(ty.Slow))
	}
	ff, kb := mean(r.open.FirstFrame), mean(ty.KeyBytes)
	fmt.Fprintf(&b, "bytes per typed key: mean %.0f B vs first screen %.0f B = %.1f%% (goal <= 5%%)\n", kb, ff, 100*kb/ff)
	inuse := func(m memSample) uint64 { return m.heapInuse }
	live := func(m memSample) uint64 { return m.heapAlloc }
	fmt.Fprintf(&b, "server memory per session (after GC): heap in use %.0f KB just drawn, %.0f KB after %v idle (goal <= 1024); live heap %.0f / %.0f KB; stacks %.0f KB, %.1f goroutines; heap in use %.1f MB before (%d goroutines), %.1f MB open, %.1f MB after typing\n",
		r.perSession(inuse, false), r.perSession(inuse, true), r.sc.idle, r.perSession(live, false), r.perSession(live, true),
		r.perSession(func(m memSample) uint64 { return m.stackInuse }, true),
		float64(r.opened.goroutines-r.before.goroutines)/float64(r.sc.sessions),
		float64(r.before.heapInuse)/(1<<20), r.before.goroutines, float64(r.opened.heapInuse)/(1<<20), float64(r.after.heapInuse)/(1<<20))
	return b.String()
}

// slowBySecond counts slow keys by the second of the typing they were
// sent in ("3s:12 4s:40"): a burst of them is the machine, not the server.
func slowBySecond(at []time.Duration) string {
	n := map[int]int{}
	for _, d := range at {
		n[int(d/time.Second)]++
	}
	secs := make([]int, 0, len(n))
	for s := range n {
		secs = append(secs, s)
	}
	slices.Sort(secs)
	var b strings.Builder
	for _, s := range secs {
		fmt.Fprintf(&b, "%ds:%d ", s, n[s])
	}
	return strings.TrimSpace(b.String())
}

// machineCPU is the CPU time all processes of the machine have used
// (/proc/stat: user, nice, system, irq, softirq, steal), 0 if unknown.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// loadgenPrefix marks the load generator's messages on its standard output.
const loadgenPrefix = "LOADGEN "

// runLoad serves a seeded database, starts the load generator against it,
// and measures the server while the generator's sessions type.
func runLoad(tb testing.TB, sc loadScenario) *loadResult {
	loadFPS()
	st := seededStore(tb)
	ts := startServer(tb, st, func(c *Config) { c.MaxSessions = sc.sessions + 10 })
	seedKey := make([]byte, ed25519.SeedSize)
	rand.Read(seedKey)
	pub, err := gossh.NewPublicKey(ed25519.NewKeyFromSeed(seedKey).Public())
	mustNotErr(tb, err, "public key")
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub))) + " loadgen@host"
	_, err = st.CreateUser(context.Background(), local, "olive", store.RoleOperator, 0, []string{line})
	mustNotErr(tb, err, "create user")

	r := &loadResult{sc: sc}
	r.before = sampleMem()

	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadGenerator$", "-test.count=1")
	cmd.Env = append(os.Environ(), "OFFDUTY_LOADGEN=1", "OFFDUTY_LOADGEN_ADDR="+ts.addr, "OFFDUTY_LOADGEN_KEY="+hex.EncodeToString(seedKey),
		fmt.Sprintf("OFFDUTY_LOADGEN_SESSIONS=%d", sc.sessions), fmt.Sprintf("OFFDUTY_LOADGEN_KPS=%d", sc.kps), "OFFDUTY_LOADGEN_GOAL="+sc.goal.String())
	stdin, err := cmd.StdinPipe()
	mustNotErr(tb, err, "load generator stdin")
	stdout, err := cmd.StdoutPipe()
	mustNotErr(tb, err, "load generator stdout")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	mustNotErr(tb, cmd.Start(), "start the load generator")
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	msgs := make(chan string)
	var other strings.Builder // the generator's other output, for a failure
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			if m, ok := strings.CutPrefix(sc.Text(), loadgenPrefix); ok {
				msgs <- m
			} else {
				other.WriteString(sc.Text() + "\n")
			}
		}
		close(msgs)
	}()
	next := func(v any, within time.Duration) {
		tb.Helper()
		select {
		case m, ok := <-msgs:
			if !ok {
				tb.Fatalf("the load generator ended: %s%s", other.String(), stderr.String())
			}
			mustNotErr(tb, json.Unmarshal([]byte(m), v), "load generator message")
		case <-time.After(within):
			tb.Fatalf("no word from the load generator in %v", within)
		}
	}

	next(&r.open, 3*time.Minute)
	if len(r.open.Failed) > 0 {
		tb.Fatalf("%d of %d sessions failed: %s", len(r.open.Failed), sc.sessions, r.open.Failed[0])
	}
	r.opened = sampleMem()
	profDir := os.Getenv("OFFDUTY_LOAD_PROFILE")
	heapProfile := func(name string) {
		if profDir != "" {
			f, err := os.Create(filepath.Join(profDir, name+"-"+sc.name()+".pprof"))
			mustNotErr(tb, err, "heap profile")
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	heapProfile("heap-open")
	var idleProf *os.File
	if profDir != "" && sc.idle > 0 {
		f, err := os.Create(filepath.Join(profDir, "cpu-idle-"+sc.name()+".pprof"))
		mustNotErr(tb, err, "cpu profile")
		mustNotErr(tb, pprof.StartCPUProfile(f), "cpu profile")
		idleProf = f
	}
	c0, t0 := cpuTime(), time.Now()
	time.Sleep(sc.idle)
	r.idleCPU = (cpuTime() - c0).Seconds() / max(time.Since(t0).Seconds(), 1e-3)
	if idleProf != nil {
		pprof.StopCPUProfile()
		idleProf.Close()
	}
	r.idled = sampleMem()
	heapProfile("heap-idle")

	if profDir != "" {
		f, err := os.Create(filepath.Join(profDir, "cpu-"+sc.name()+".pprof"))
		mustNotErr(tb, err, "cpu profile")
		mustNotErr(tb, pprof.StartCPUProfile(f), "cpu profile")
		defer f.Close()
	}
	cpu0, m0, w0 := cpuTime(), machineCPU(), time.Now()
	io.WriteString(stdin, "type\n")
	next(&r.typed, 5*time.Minute)
	r.cpu = cpuTime() - cpu0
	if m0 > 0 {
		r.machineCPU, r.wall = machineCPU()-m0, time.Since(w0)
	}
	if profDir != "" {
		pprof.StopCPUProfile()
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.loadAvg = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	if len(r.typed.Failed) > 0 {
		tb.Fatalf("%d sessions failed while typing: %s", len(r.typed.Failed), r.typed.Failed[0])
	}
	r.after = sampleMem()
	io.WriteString(stdin, "close\n")
	return r
}

// TestLoad runs the load test when OFFDUTY_LOAD=1, and checks the goals.
func TestLoad(t *testing.T) {
	if os.Getenv("OFFDUTY_LOAD") != "1" {
		t.Skip("set OFFDUTY_LOAD=1 to run the SSH load test")
	}
	for _, sc := range loadScenarios() {
		t.Run(sc.name(), func(t *testing.T) {
			r := runLoad(t, sc)
			t.Log("\n" + r.report())
			if p99 := r.quantile(0.99); p99 > sc.goal {
				t.Errorf("p99 key to echo %v, goal %v", p99, sc.goal)
			}
			if share := mean(r.typed.KeyBytes) / mean(r.open.FirstFrame); share > 0.05 {
				t.Errorf("a keystroke sends %.1f%% of a full screen, goal 5%%", 100*share)
			}
			if r.typed.Missed > 0 {
				t.Errorf("%d keys never echoed", r.typed.Missed)
			}
			if ms := r.cpuPerKey(); ms > 1 {
				t.Errorf("server CPU %.2f ms a key, goal 1 ms", ms)
			}
		})
	}
}

// TestLoadSmoke is the load test's machinery in the default suite: a few
// sessions in the load generator's process type the script quickly; every
// key must echo and the figures must be there (the goals are TestLoad's).
func TestLoadSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	r := runLoad(t, loadScenario{sessions: 3, kps: 25, goal: time.Second})
	t.Log("\n" + r.report())
	if want := 3 * typedKeys(); len(r.typed.Latencies)+r.typed.Missed != want || r.typed.Missed > 0 {
		t.Errorf("%d keys timed, %d without echo, want %d timed", len(r.typed.Latencies), r.typed.Missed, want)
	}
	if r.cpu <= 0 || r.typed.CPU <= 0 || mean(r.typed.KeyBytes) <= 0 || mean(r.open.FirstFrame) < 1000 {
		t.Errorf("figures missing: server CPU %v, generator CPU %v, %.0f B a key, first screen %.0f B",
			r.cpu, r.typed.CPU, mean(r.typed.KeyBytes), mean(r.open.FirstFrame))
	}
}

// typedKeys is the number of timed keys in loadScript (spaces are not timed).
func typedKeys() int {
	n := 0
	for _, step := range loadScript {
		n += len(step.text) - strings.Count(step.text, " ")
	}
	return n
}

// BenchmarkSSHTyping is the load test as a benchmark (skipped under -short).
func BenchmarkSSHTyping(b *testing.B) {
	if testing.Short() {
		b.Skip("the SSH load test is long")
	}
	for _, sc := range loadScenarios() {
		b.Run(sc.name(), func(b *testing.B) {
			var r *loadResult
			for b.Loop() {
				r = runLoad(b, sc)
			}
			b.ReportMetric(float64(r.quantile(0.50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(r.quantile(0.99).Microseconds())/1000, "p99-ms")
			b.ReportMetric(r.cpuPerKey(), "cpu-ms/key")
			b.ReportMetric(mean(r.typed.KeyBytes), "B/key")
			b.ReportMetric(mean(r.open.FirstFrame), "B/screen")
			b.ReportMetric(r.perSession(func(m memSample) uint64 { return m.heapInuse }, false), "heapKB/session")
			b.ReportMetric(r.perSession(func(m memSample) uint64 { return m.heapInuse }, true), "idleheapKB/session")
			b.Log("\n" + r.report())
		})
	}
}

// TestLoadGenerator is the load generator: the clients of the load test, in
// their own process (runLoad starts it). It opens the sessions, says so,
// types when told to, reports what it measured, and closes the sessions
// when told to (or when its input ends).
func TestLoadGenerator(t *testing.T) {
	if os.Getenv("OFFDUTY_LOADGEN") != "1" {
		t.Skip("the load test's client process (OFFDUTY_LOAD=1 starts it)")
	}
	seedKey, err := hex.DecodeString(os.Getenv("OFFDUTY_LOADGEN_KEY"))
	if err != nil || len(seedKey) != ed25519.SeedSize {
		t.Fatalf("OFFDUTY_LOADGEN_KEY: %v", err)
	}
	signer, err := gossh.NewSignerFromKey(ed25519.NewKeyFromSeed(seedKey))
	mustNotErr(t, err, "signer")
	addr := os.Getenv("OFFDUTY_LOADGEN_ADDR")
	sessions, _ := strconv.Atoi(os.Getenv("OFFDUTY_LOADGEN_SESSIONS"))
	kps, _ := strconv.Atoi(os.Getenv("OFFDUTY_LOADGEN_KPS"))
	say := func(v any) {
		b, err := json.Marshal(v)
		mustNotErr(t, err, "marshal")
		os.Stdout.WriteString(loadgenPrefix + string(b) + "\n")
	}
	in := bufio.NewScanner(os.Stdin)
	waitWord := func(w string) bool {
		for in.Scan() {
			if in.Text() == w {
				return true
			}
		}
		return false
	}

	start := time.Now()
	terms := make([]*loadTerm, sessions)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open loadOpen
	for i := range terms {
		wg.Go(func() {
			tm, err := dialLoadTerm(addr, signer)
			if err == nil && !tm.waitText(30*time.Second, "offduty", "Requests") {
				err = fmt.Errorf("no console: %q", tm.sinceText())
			}
			if err != nil {
				mu.Lock()
				open.Failed = append(open.Failed, err.Error())
				mu.Unlock()
				return
			}
			tm.settle(300*time.Millisecond, 10*time.Second)
			terms[i] = tm
		})
	}
	wg.Wait()
	open.Setup = time.Since(start)
	for _, tm := range terms {
		if tm != nil {
			open.FirstFrame = append(open.FirstFrame, tm.received())
		}
	}
	defer func() {
		for _, tm := range terms {
			if tm != nil {
				tm.close()
			}
		}
	}()
	say(open)
	if len(open.Failed) > 0 || !waitWord("type") {
		return
	}

	var rep loadReport
	goal, _ := time.ParseDuration(os.Getenv("OFFDUTY_LOADGEN_GOAL")) // keys slower than it are noted
	start = time.Now()
	cpu0 := cpuTime()
	for _, tm := range terms {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 1))
			gap := time.Second / time.Duration(kps) // between keys, on average
			think := func() { time.Sleep(gap/2 + time.Duration(rng.Int64N(int64(gap)))) }
			time.Sleep(time.Duration(rng.Int64N(int64(time.Second)))) // people do not start in step
			keys := 1
			tm.mark(0)
			tm.send("n")
			if !tm.waitText(10*time.Second, "Customer") {
				mu.Lock()
				rep.Failed = append(rep.Failed, "no form")
				mu.Unlock()
				return
			}
			tm.settle(100*time.Millisecond, 2*time.Second)
			var lat, slow []time.Duration
			var bytes []int
			missed := 0
			for _, step := range loadScript {
				for range step.tabs {
					tm.send(keyTab)
					keys++
					think()
				}
				for i := 0; i < len(step.text); i++ {
					c := step.text[i]
					n0 := tm.received()
					tm.mark(c)
					sent := time.Now()
					tm.send(string(c))
					keys++
					if at, ok := tm.waitEcho(2 * time.Second); !ok {
						missed++
					} else if c != ' ' {
						lat = append(lat, at.Sub(sent))
						if goal > 0 && at.Sub(sent) > goal {
							slow = append(slow, sent.Sub(start))
						}
					}
					think()
					bytes = append(bytes, tm.received()-n0)
				}
			}
			mu.Lock()
			rep.Latencies = append(rep.Latencies, lat...)
			rep.Slow = append(rep.Slow, slow...)
			rep.KeyBytes = append(rep.KeyBytes, bytes...)
			rep.Keys += keys
			rep.Missed += missed
			mu.Unlock()
		})
	}
	wg.Wait()
	rep.Typing = time.Since(start)
	rep.CPU = cpuTime() - cpu0
	say(rep)
	waitWord("close")
}

// loadTerm is one of the load generator's sessions: a 120x40 PTY, and
// what arrived since the last mark, kept small so that watching for an
// echo costs the generator little.
type loadTerm struct {
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser

	mu    sync.Mutex
	total int    // bytes received
	since []byte // received since the last mark
	want  byte   // the key whose echo is awaited (0: none)
	echo  time.Time
	more  chan struct{}
	ended chan struct{}
}

func dialLoadTerm(addr string, signer gossh.Signer) (*loadTerm, error) {
	client, err := dial(addr, signer)
	if err != nil {
		return nil, err
	}
	sess, err := client.NewSession()
	if err != nil {
		client.Close()
		return nil, err
	}
	tm := &loadTerm{client: client, sess: sess, more: make(chan struct{}, 1), ended: make(chan struct{})}
	stdout, err := sess.StdoutPipe()
	if err == nil {
		tm.in, err = sess.StdinPipe()
	}
	if err == nil {
		modes := gossh.TerminalModes{gossh.ECHO: 0, gossh.TTY_OP_ISPEED: 38400, gossh.TTY_OP_OSPEED: 38400}
		err = sess.RequestPty("xterm-256color", termRows, termCols, modes)
	}
	if err == nil {
		err = sess.Shell()
	}
	if err != nil {
		client.Close()
		return nil, err
	}
	go func() {
		defer close(tm.ended)
		buf := make([]byte, 32<<10)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				now := time.Now()
				tm.mu.Lock()
				tm.total += n
				tm.since = append(tm.since, buf[:n]...)
				if tm.want != 0 && tm.echo.IsZero() && strings.IndexByte(ansi.Strip(string(tm.since)), tm.want) >= 0 {
					tm.echo = now
				}
				tm.mu.Unlock()
				select {
				case tm.more <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return tm, nil
}

func (tm *loadTerm) close() {
	tm.sess.Close()
	tm.client.Close()
}

func (tm *loadTerm) send(keys string) { io.WriteString(tm.in, keys) }

func (tm *loadTerm) received() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.total
}

// mark forgets what arrived so far and, for a key c other than 0, starts
// watching for its echo.
func (tm *loadTerm) mark(c byte) {
	tm.mu.Lock()
	tm.since, tm.want, tm.echo = tm.since[:0], c, time.Time{}
	tm.mu.Unlock()
}

func (tm *loadTerm) sinceText() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(string(tm.since))
}

// waitEcho waits for the marked key's echo and says when it arrived.
func (tm *loadTerm) waitEcho(d time.Duration) (time.Time, bool) {
	deadline := time.After(d)
	for {
		tm.mu.Lock()
		at := tm.echo
		tm.mu.Unlock()
		if !at.IsZero() {
			return at, true
		}
		select {
		case <-tm.more:
		case <-tm.ended:
			return time.Time{}, false
		case <-deadline:
			return time.Time{}, false
		}
	}
}

// waitText waits until what arrived since the mark shows every one of want.
func (tm *loadTerm) waitText(d time.Duration, want ...string) bool {
	deadline := time.After(d)
	for {
		txt := tm.sinceText()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(txt, w)
		}
		if ok {
			return true
		}
		select {
		case <-tm.more:
		case <-tm.ended:
			return false
		case <-deadline:
			return false
		}
	}
}

// settle waits until the output has been quiet for quiet (at most max).
func (tm *loadTerm) settle(quiet, max time.Duration) {
	end := time.Now().Add(max)
	for time.Now().Before(end) {
		select {
		case <-tm.more:
		case <-tm.ended:
			return
		case <-time.After(quiet):
			return
		}
	}
}
