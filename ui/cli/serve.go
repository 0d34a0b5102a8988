package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	charmlog "charm.land/log/v2"
	"github.com/spf13/cobra"

	"offduty/store"
	"offduty/ui/mail"
	"offduty/ui/sshd"
	"offduty/ui/web"
)

func newServeCmd(e *env) *cobra.Command {
	var listen, hostKey, public, backupDir string
	var httpAddr, publicURL, tlsCert, tlsKey string
	var idle, backupEvery time.Duration
	var sf smtpFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the console and the commands over SSH to the users of the database",
		Long: `Serves offduty over SSH to the users of the database (see offduty user): a user signs
in with one of their public keys, and their role decides what they may see and change.
  ssh -p 2222 HOST                 with a terminal: the console, one per session
  ssh -p 2222 HOST COMMAND ...     runs an offduty command as that user (jobs, quote,
                                   invoice export, job attach, user ..., see the README);
                                   input on stdin, output on stdout, its exit status back
Over SSH the server's database and clock are the only ones (--db and --now are refused), no
path of the server is named (-o is refused: redirect stdout), and what manages the server
itself (serve, seed) runs on its machine only. Keys that belong to no user and passwords are
refused. The host key is created on first start (ed25519, mode 0600) and kept; it is a secret:
keep a copy apart from the database's backups. Connects, disconnects and refusals are logged
on stderr. SIGINT or SIGTERM stops accepting connections, tells every session and waits for
them (10 s at most); a second signal ends at once.
With --smtp HOST:PORT it also delivers the outbox's e-mail through that relay (as offduty
notify run does: STARTTLS per --starttls, credentials from OFFDUTY_SMTP_USER and
OFFDUTY_SMTP_PASSWORD) and writes the scheduled messages every minute.
With --http HOST:PORT it also serves the web pages for customers and officers (off unless
asked): sign-in by a one-time link e-mailed through the outbox, requests with the live quote,
jobs, cancellations, invoices, open shifts, pay and a calendar link. --public-url is the
address put in those e-mails (default from --http); behind the office's own TLS proxy give
its https address; or serve HTTPS here with --tls-cert and --tls-key.
Exit status: 0 after a shutdown; 1 invalid input, or the address or host key unusable.`,
		Example: "  offduty serve --listen :2222 --public-address office.example.com:2222\n  ssh -p 2222 -i KEY localhost\n" +
			"  offduty serve --http 127.0.0.1:8080 --public-url https://office.example.com --smtp mail.example.com:587\n" +
			"  offduty serve --http :8443 --tls-cert /etc/offduty/cert.pem --tls-key /etc/offduty/key.pem",
		Args: noArgs,
	}
	f := c.Flags()
	f.StringVar(&listen, "listen", sshd.DefaultListen, "address to listen on, `HOST:PORT` (:2222 for every interface)")
	f.StringVar(&public, "public-address", "", "the server as users reach it, `HOST:PORT`, named in the commands the console shows (default: the listen address)")
	f.StringVar(&hostKey, "host-key", "", "host key `FILE`, created if missing (default: "+sshd.HostKeyName+" beside the database; on PostgreSQL in ~/.local/share/offduty)")
	f.DurationVar(&idle, "idle-timeout", sshd.DefaultIdleTimeout, "close a session after this long with no key pressed (`DURATION`, e.g. 30m, 1h; 0 never)")
	maxSessions := intFlag(f, "max-sessions", "sessions open at once (`N`); more are refused with a message; 0 no limit")
	f.DurationVar(&backupEvery, "backup-every", 24*time.Hour, "take a backup this often (`DURATION`, e.g. 1h, 24h; 0 never), and at start when the newest is older")
	f.StringVar(&backupDir, "backup-dir", "", "where scheduled backups go (`DIR`, default: backups beside the database)")
	backupKeep := intFlag(f, "backup-keep", "scheduled backups kept (`N`, the newest; older ones are removed)")
	f.StringVar(&httpAddr, "http", "", "also serve the web pages for customers and officers on `HOST:PORT` (default: off)")
	f.StringVar(&publicURL, "public-url", "", "the web pages' address as people reach it, put in e-mailed links, `URL` (default: from --http; the https address of a TLS proxy in front)")
	f.StringVar(&tlsCert, "tls-cert", "", "serve the web pages over HTTPS with this certificate `FILE` (PEM; with --tls-key)")
	f.StringVar(&tlsKey, "tls-key", "", "the private key `FILE` of --tls-cert (PEM)")
	sf.register(f, "", "send the outbox's e-mail through this SMTP relay, `HOST:PORT` (credentials: OFFDUTY_SMTP_USER, OFFDUTY_SMTP_PASSWORD; default: send nothing)")
	*backupKeep = 14
	f.Lookup("backup-keep").DefValue = "14"
	*maxSessions = 100
	f.Lookup("max-sessions").DefValue = "100"
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if idle < 0 {
			return fail(ExitInvalid, "serve: --idle-timeout cannot be negative (got %s)", idle)
		}
		if backupEvery < 0 || (backupEvery > 0 && backupEvery < time.Minute) {
			return fail(ExitInvalid, "serve: --backup-every: at least 1m, or 0 for never (got %s)", backupEvery)
		}
		if *backupKeep < 1 {
			return fail(ExitInvalid, "serve: --backup-keep must be at least 1 (got %d)", *backupKeep)
		}
		if *maxSessions < 0 {
			return fail(ExitInvalid, "serve: --max-sessions cannot be negative (got %d); 0 means no limit", *maxSessions)
		}
		host, port, err := net.SplitHostPort(listen)
		if err != nil {
			return fail(ExitInvalid, "serve: --listen: want HOST:PORT such as 127.0.0.1:2222, got %q", listen)
		}
		if public == "" {
			if host == "" || host == "0.0.0.0" || host == "::" {
				if host, err = os.Hostname(); err != nil || host == "" {
					host = "localhost"
				}
			}
			public = net.JoinHostPort(host, port)
		} else if _, _, err := net.SplitHostPort(public); err != nil {
			return fail(ExitInvalid, "serve: --public-address: want HOST:PORT such as office.example.com:2222, got %q", public)
		}
		if httpAddr == "" && (publicURL != "" || tlsCert != "" || tlsKey != "") {
			return fail(ExitInvalid, "serve: --public-url, --tls-cert and --tls-key need --http HOST:PORT")
		}
		if (tlsCert == "") != (tlsKey == "") {
			return fail(ExitInvalid, "serve: --tls-cert and --tls-key go together")
		}
		var certs []tls.Certificate
		if tlsCert != "" {
			c, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
			if err != nil {
				return fail(ExitInvalid, "serve: --tls-cert/--tls-key: %v", err)
			}
			certs = []tls.Certificate{c}
		}
		if httpAddr != "" {
			if _, _, err := net.SplitHostPort(httpAddr); err != nil {
				return fail(ExitInvalid, "serve: --http: want HOST:PORT such as 127.0.0.1:8080, got %q", httpAddr)
			}
			if publicURL != "" {
				if _, err := web.ParsePublicURL(publicURL); err != nil {
					return fail(ExitInvalid, "serve: --public-url: %v", err)
				}
			}
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		s, now, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		clock := time.Now
		if e.nowText != "" {
			clock = func() time.Time { return now }
		}
		logger := charmlog.NewWithOptions(e.stderr, charmlog.Options{ReportTimestamp: true, TimeFormat: "2006-01-02 15:04:05", Prefix: "serve"})
		var snd *mail.Sender
		if sf.relay != "" {
			if snd, err = sf.sender(e, "serve", s, logger.WithPrefix("mail")); err != nil {
				return err
			}
		} else if f := cmd.Flags().Lookup("starttls"); f.Changed {
			return fail(ExitInvalid, "serve: --starttls needs --smtp HOST:PORT")
		}
		timeout := idle
		if timeout == 0 {
			timeout = -1 // never
		}
		if hostKey == "" && s.Postgres() {
			// No folder beside a file: the host key lives in this
			// user's data folder (give every front end the same one).
			hostKey = filepath.Join(filepath.Dir(defaultDB(e.getenv)), sshd.HostKeyName)
		}
		srv, err := sshd.New(sshd.Config{Listen: listen, PublicAddress: public, HostKeyPath: hostKey, IdleTimeout: timeout, MaxSessions: int(*maxSessions),
			Store: s, Now: clock, Loc: office(), Logger: logger,
			Exec: func(ctx context.Context, r sshd.ExecRequest) int {
				return Run(ctx, r.Args, Env{Stdin: r.Stdin, Stdout: r.Stdout, Stderr: r.Stderr,
					Remote: &Remote{Store: s, User: r.User, Now: clock, PublicAddress: public, Terminal: r.PTY}})
			}})
		if err != nil {
			return fail(ExitInvalid, "serve: %v", err)
		}
		ln, err := srv.Listen()
		if err != nil {
			return fail(ExitInvalid, "serve: %v", err)
		}
		if users, err := s.Users(ctx, e.actor()); err == nil && len(users) == 0 {
			logger.Warn("no users yet: nobody can sign in; add one with: offduty user add NAME --role supervisor --key-file ~/.ssh/id_ed25519.pub")
		}
		if s.Postgres() {
			if cmd.Flags().Changed("backup-every") && backupEvery > 0 {
				return fail(ExitInvalid, "serve: --backup-every: %s", pgBackupHint)
			}
			logger.Info("database on PostgreSQL: backups are PostgreSQL's own (pg_dump, base backups and WAL archiving)", "db", s.Path())
		} else if backupEvery > 0 {
			dir := backupDir
			if dir == "" {
				dir = filepath.Join(filepath.Dir(s.Path()), "backups")
			}
			go scheduleBackups(ctx, s, dir, backupEvery, int(*backupKeep), clock, logger)
		}
		if snd != nil {
			startMail(ctx, snd, s, logger.WithPrefix("mail"))
		} else {
			logger.Info("no --smtp: the outbox is not sent from here (offduty notify run sends it)")
		}
		var hs *http.Server
		webServed := make(chan error, 1)
		if httpAddr != "" {
			hln, err := net.Listen("tcp", httpAddr)
			if err != nil {
				return fail(ExitInvalid, "serve: --http: %v", err)
			}
			base := publicURL
			if base == "" {
				base = webURLFrom(hln.Addr().String(), len(certs) > 0)
			}
			h, err := web.New(web.Config{Store: s, PublicURL: base, Loc: office(), Logger: logger.WithPrefix("web"),
				Console: "ssh -p " + portOf(public) + " " + hostOf(public)})
			if err != nil {
				hln.Close()
				return fail(ExitInvalid, "serve: --public-url: %v", err)
			}
			hs = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute,
				IdleTimeout: 2 * time.Minute, ErrorLog: logger.WithPrefix("web").StandardLog(charmlog.StandardLogOptions{ForceLevel: charmlog.WarnLevel})}
			if len(certs) > 0 {
				hs.TLSConfig = &tls.Config{Certificates: certs, MinVersion: tls.VersionTLS12}
				hln = tls.NewListener(hln, hs.TLSConfig)
			}
			if err := s.SetWebURL(ctx, e.actor(), h.URL("")); err != nil {
				logger.Warn("web: the pages' address is not kept for open-shift e-mails", "err", err)
			}
			logger.Info("web pages", "listen", hln.Addr().String(), "public", h.URL("/"))
			go func() { webServed <- hs.Serve(hln) }()
		} else if err := s.SetWebURL(ctx, e.actor(), ""); err != nil && store.ErrorCode(err) == "" {
			logger.Warn("web: cannot clear the pages' address", "err", err)
		}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		select {
		case err := <-served:
			return fail(ExitInvalid, "serve: %v", err)
		case err := <-webServed:
			return fail(ExitInvalid, "serve: web pages: %v", err)
		case <-ctx.Done():
		}
		stop() // a second signal ends the process at once
		logger.Info("signal: shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if hs != nil {
			if err := hs.Shutdown(sctx); err != nil {
				logger.Warn("shutdown: web requests did not end in time", "err", err)
			}
		}
		if err := srv.Shutdown(sctx); err != nil {
			logger.Warn("shutdown: sessions did not end in time; their connections were closed", "err", err)
		}
		if err := <-served; err != nil && !errors.Is(err, sshd.ErrServerClosed) {
			return fail(ExitInvalid, "serve: %v", err)
		}
		logger.Info("stopped")
		return nil
	}
	return markLocal(c, "it listens on the server's network and reads its host key")
}

// webURLFrom is the web pages' address from the address they listen on:
// http(s)://HOST:PORT, the machine's name for every interface.
func webURLFrom(addr string, https bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		if host, err = os.Hostname(); err != nil || host == "" {
			host = "localhost"
		}
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	if (https && port == "443") || (!https && port == "80") || port == "" {
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func portOf(addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "22"
	}
	return p
}

// scheduleBackups takes a backup into dir every `every` (and at once when
// the newest there is older than that), keeping the newest `keep`.
func scheduleBackups(ctx context.Context, s *store.Store, dir string, every time.Duration, keep int, clock func() time.Time, logger *charmlog.Logger) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		logger.Error("backups: cannot use the folder", "dir", dir, "err", err)
		return
	}
	backups := func() []string {
		names, _ := filepath.Glob(filepath.Join(dir, "offduty-backup-*.tar.gz"))
		sort.Strings(names) // the names sort by time
		return names
	}
	take := func() {
		now := clock()
		path := filepath.Join(dir, "offduty-backup-"+now.UTC().Format("20060102-150405")+".tar.gz")
		began := time.Now()
		sum, n, err := writeBackup(ctx, s, path, now)
		if err != nil {
			logger.Error("backup failed", "path", path, "err", err)
			return
		}
		logger.Info("backup", "path", path, "sha256", sum[:12], "media", n, "took", time.Since(began).Round(time.Millisecond))
		all := backups()
		for len(all) > keep {
			if err := os.Remove(all[0]); err == nil {
				logger.Info("backup removed (retention)", "path", all[0], "keep", keep)
			}
			all = all[1:]
		}
	}
	wait := every
	if all := backups(); len(all) == 0 {
		wait = 0
	} else if st, err := os.Stat(all[len(all)-1]); err == nil && time.Since(st.ModTime()) >= every {
		wait = 0
	} else if err == nil {
		wait = every - time.Since(st.ModTime())
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		take()
		wait = every
	}
}
