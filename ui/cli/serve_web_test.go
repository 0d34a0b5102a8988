package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serve --http: the flags are checked before anything starts.
func TestServeWebFlags(t *testing.T) {
	env := testEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--public-url", "https://office.example"}, "need --http"},
		{[]string{"--tls-cert", "x.pem", "--tls-key", "y.pem"}, "need --http"},
		{[]string{"--http", "127.0.0.1:0", "--tls-cert", "x.pem"}, "go together"},
		{[]string{"--http", "nonsense"}, "--http: want HOST:PORT"},
		{[]string{"--http", "127.0.0.1:0", "--public-url", "office.example"}, "--public-url"},
		{[]string{"--http", "127.0.0.1:0", "--public-url", "https://office.example/app"}, "leave out the path"},
		{[]string{"--http", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"}, "--tls-cert/--tls-key"},
	} {
		args := append([]string{"serve", "--demo=false", "--listen", "127.0.0.1:0", "--backup-every", "0"}, c.args...)
		expect(t, strings.Join(c.args, " "), runWith(env, args...), ExitInvalid, c.want)
	}
}

var webLogRE = regexp.MustCompile(`web pages listen=(\S+) public=(\S+)`)

// serveWeb runs serve with args until stop is called; it returns the web
// pages' listen address and public URL from the log.
func serveWeb(t *testing.T, env map[string]string, args ...string) (listen, public string, log *lockedBuffer, stop func()) {
	t.Helper()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(append([]string{"serve", "--listen", "127.0.0.1:0", "--backup-every", "0"}, args...), &stdout, &stderr, func(k string) string { return env[k] })
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := webLogRE.FindStringSubmatch(stderr.String()); m != nil && strings.Contains(stderr.String(), "listening") {
			listen, public = m[1], m[2]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if listen == "" {
		t.Fatalf("serve did not start the web pages:\n%s", stderr.String())
	}
	return listen, public, &stderr, func() {
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d:\n%s", code, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("serve did not stop:\n%s", stderr.String())
		}
	}
}

// serve --http serves the pages beside SSH, with the injected clock, and
// keeps their address for open-shift e-mails.
func TestServeWebHTTP(t *testing.T) {
	env := testEnv(t)
	listen, public, log, stop := serveWeb(t, env, "--http", "127.0.0.1:0")
	if public != "http://"+listen+"/" {
		t.Errorf("public URL %q, want from --http %q", public, listen)
	}
	resp, err := http.Get("http://" + listen + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Send me a sign-in link") {
		t.Errorf("GET /signin: %d\n%s", resp.StatusCode, body)
	}
	stop()
	if !strings.Contains(log.String(), "stopped") {
		t.Errorf("log:\n%s", log.String())
	}
}

// With a certificate the pages are HTTPS, their cookies Secure.
func TestServeWebTLS(t *testing.T) {
	env := testEnv(t)
	cert, key := selfSigned(t)
	listen, public, _, stop := serveWeb(t, env, "--http", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key, "--public-url", "https://office.example")
	defer stop()
	if public != "https://office.example/" {
		t.Errorf("public URL %q", public)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := c.Get("https://" + listen + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(sc, "__Host-") || !strings.Contains(sc, "Secure") {
		t.Errorf("GET /signin over TLS: %d, cookie %q", resp.StatusCode, sc)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header over https")
	}
}

// selfSigned writes a certificate and key for 127.0.0.1.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "office.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"office.example"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// A customer or officer user with an address needs no key: the web pages
// are how they sign in. Staff still need one.
func TestServeWebUserWithoutKey(t *testing.T) {
	env := testEnv(t)
	expect(t, "a customer with an e-mail", runWith(env, "user", "add", "webcust", "--role", "customer", "--account", "1", "--email", "w@example.com"),
		0, "with no key: they sign in on the web pages")
	expect(t, "a customer without an e-mail", runWith(env, "user", "add", "nomail", "--role", "customer", "--account", "1"),
		ExitInvalid, "give the user's public key")
	expect(t, "staff", runWith(env, "user", "add", "disp", "--role", "dispatcher", "--email", "d@example.com"), ExitInvalid, "give the user's public key")
}
