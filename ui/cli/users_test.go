package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// pubKey is a new ed25519 public key as an authorized_keys line, and its fingerprint.
func pubKey(t *testing.T, comment string) (string, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k))) + " " + comment, gossh.FingerprintSHA256(k)
}

func TestUserCommands(t *testing.T) {
	env := demoEnv(t)
	env["USER"] = "boss"
	k1, fp1 := pubKey(t, "alice@laptop")
	k2, fp2 := pubKey(t, "alice@phone")
	k3, _ := pubKey(t, "olive@desk")

	expect := func(r result, code int, stdout, stderr string) {
		t.Helper()
		if r.code != code || !strings.Contains(r.stdout, stdout) || !strings.Contains(r.stderr, stderr) {
			t.Errorf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", r.code, code, r.stdout, stdout, r.stderr, stderr)
		}
	}
	expect(runWith(env, "user", "add", "alice", "--role", "supervisor", "--key", k1), 0, fp1, "")
	keyFile := filepath.Join(t.TempDir(), "id.pub")
	if err := os.WriteFile(keyFile, []byte("# alice's phone\n"+k2+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expect(runWith(env, "user", "key", "add", "alice", "--key-file", keyFile), 0, fp2, "")
	expect(runWith(env, "user", "add", "olive", "--role", "operator", "--key", k3), 0, "operator", "")

	// refusals: 1 for bad input or unknown things, 2 for conflicts and roles
	expect(runWith(env, "user", "add", "alice", "--role", "operator", "--key", k3), 2, "", "already")
	expect(runWith(env, "user", "add", "bob", "--role", "operator", "--key", k1), 2, "", "already belongs")
	expect(runWith(env, "user", "add", "bob", "--role", "king", "--key", k3), 1, "", "role")
	expect(runWith(env, "user", "add", "bob", "--role", "operator"), 1, "", "--key")
	expect(runWith(env, "user", "add", "bob", "--role", "operator", "--key", "not a key"), 1, "", "not a public key")
	expect(runWith(env, "user", "add", "bad name", "--role", "operator", "--key", k3), 1, "", "user name")
	expect(runWith(env, "user", "add", "cust", "--role", "customer", "--key", k3), 1, "", "--account")
	expect(runWith(env, "user", "add", "cust", "--role", "customer", "--account", "99999", "--key", k3), 1, "", "")
	expect(runWith(env, "user", "remove", "nobody"), 1, "", "no user")
	expect(runWith(env, "user", "frob"), 1, "", "unknown subcommand")
	// a local login that happens to be a user's name is still the local
	// operator ("olive (local)"): it is never taken for the SSH user olive
	asOlive := map[string]string{}
	for k, v := range env {
		asOlive[k] = v
	}
	asOlive["USER"] = "olive"
	expect(runWith(asOlive, "user", "add", "zed", "--role", "operator", "--key", mustKey(t)), 0, "", "")
	expect(runWith(asOlive, "user", "remove", "zed"), 0, "Removed zed", "")

	// a customer user
	r := runWith(env, "user", "add", "mav", "--role", "customer", "--account", "2", "--key", mustKey(t))
	expect(r, 0, "customer of", "")

	// list, as text and JSON
	r = runWith(env, "user", "list")
	expect(r, 0, "alice", "")
	for _, want := range []string{fp1, fp2, "olive", "operator", "#2 "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("user list lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runWith(env, "user", "list", "--json")
	var users []struct {
		Name    string `json:"name"`
		Role    string `json:"role"`
		Account *int64 `json:"account"`
		Keys    []struct {
			Fingerprint, Type, Comment string
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &users); err != nil {
		t.Fatalf("user list --json: %v\n%s", err, r.stdout)
	}
	if len(users) != 3 || users[0].Name != "alice" || len(users[0].Keys) != 2 || users[0].Account != nil ||
		users[1].Name != "mav" || users[1].Account == nil || *users[1].Account != 2 {
		t.Errorf("user list --json = %+v", users)
	}

	// keys come off by fingerprint or by the key itself
	expect(runWith(env, "user", "key", "remove", "alice", fp1), 0, fp1, "")
	expect(runWith(env, "user", "key", "remove", "alice", fp1), 1, "", "has no key")
	expect(runWith(env, "user", "key", "remove", "alice", k2), 0, fp2, "")
	expect(runWith(env, "user", "remove", "alice"), 0, "Removed alice", "")
	if r := runWith(env, "user", "list"); strings.Contains(r.stdout, "alice") {
		t.Errorf("alice is still listed:\n%s", r.stdout)
	}

	// help
	for _, args := range [][]string{{"user", "--help"}, {"help", "user"}, {"user", "add", "--help"}} {
		r := runWith(env, args...)
		if r.code != 0 || strings.Count(r.stdout, "USAGE") != 1 || !strings.Contains(r.stdout, "offduty user") || !strings.Contains(r.stdout, "Exit status") {
			t.Errorf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

func mustKey(t *testing.T) string {
	k, _ := pubKey(t, "")
	return k
}

func TestConsoleAsUnknownUser(t *testing.T) {
	env := demoEnv(t)
	r := runWith(env, "console", "--as", "nobody")
	if r.code != 1 || !strings.Contains(r.stderr, `no user "nobody"`) {
		t.Errorf("console --as nobody: exit %d stderr %q", r.code, r.stderr)
	}
	r = runWith(env, "help", "console")
	if r.code != 0 || !strings.Contains(r.stdout, "--as") {
		t.Errorf("help console does not explain --as:\n%s", r.stdout)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServeCommand(t *testing.T) {
	env := demoEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--listen", "nonsense"}, "--listen"},
		{[]string{"serve", "--max-sessions", "-1"}, "--max-sessions"},
		{[]string{"serve", "--idle-timeout", "-5m"}, "--idle-timeout"},
		{[]string{"serve", "--idle-timeout", "soon"}, "idle-timeout"},
	} {
		if r := runWith(env, c.args...); r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d stderr %q", c.args, r.code, r.stderr)
		}
	}
	r := runWith(env, "serve", "--help")
	for _, f := range []string{"listen", "host-key", "idle-timeout", "max-sessions", "db", "now"} {
		if !strings.Contains(r.stdout, "  --"+f) {
			t.Errorf("serve --help does not explain --%s", f)
		}
	}

	// It serves until SIGINT, then shuts down and exits 0.
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"serve", "--listen", "127.0.0.1:0"}, &stdout, &stderr, func(k string) string { return env[k] })
	}()
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for !addrRE.MatchString(stderr.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start listening:\n%s", stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(env["OFFDUTY_DB"]), "ssh_host_ed25519_key")); err != nil {
		t.Errorf("no host key beside the database: %v", err)
	}
	if !strings.Contains(stderr.String(), "no users yet") {
		t.Errorf("no warning that nobody can sign in:\n%s", stderr.String())
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after SIGINT:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not stop on SIGINT:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("serve did not log its stop:\n%s", stderr.String())
	}
}
