package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"offduty/store"
)

// job attach --audience says who sees a file: staff by default, the
// officers on the job, or the customer. A customer user then reads only
// what was shared with it, with no path on the server; a word that is not
// an audience is refused before anything is stored.
func TestJobAttachAudience(t *testing.T) {
	rs := startRemote(t, demoEnv(t))
	ctx := context.Background()
	job := rs.someJob()
	id := itoa(job.ID)
	disp := rs.user("dana", store.RoleDispatcher, 0)
	rs.user("cora", store.RoleCustomer, job.CustomerID)
	media0, files0 := rs.mediaState(job.ID)

	// Over SSH, from the user's machine: shared with the customer.
	r := rs.sshWith(disp, execOpts{stdin: []byte("%PDF-1.4 the site map")}, "job", "attach", id, "--name", "site-map.pdf", "--audience", "customer")
	expectRemote(t, "attach --audience customer", r, 0)
	if !strings.Contains(r.stdout, "site-map.pdf") || !strings.Contains(r.stdout, "seen by the customer") {
		t.Errorf("stdout %q does not say the customer sees it", r.stdout)
	}
	// The default is staff only.
	r = rs.sshWith(disp, execOpts{stdin: []byte("gate code photo")}, "job", "attach", id, "--name", "gate.jpg")
	expectRemote(t, "attach (default audience)", r, 0)
	if !strings.Contains(r.stdout, "seen by staff only") {
		t.Errorf("stdout %q does not say staff only", r.stdout)
	}
	// Locally, a FILE for the officers on the job.
	file := filepath.Join(t.TempDir(), "radio-plan.txt")
	if err := os.WriteFile(file, []byte("channel 4"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runWith(rs.env, "job", "attach", id, file, "--audience", "officers"); r.code != 0 || !strings.Contains(r.stdout, "officers on the job") {
		t.Fatalf("local attach --audience officers: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	// Not an audience: exit 1, the choices named, nothing stored.
	mid, midFiles := rs.mediaState(job.ID)
	r = rs.sshWith(disp, execOpts{stdin: []byte("x")}, "job", "attach", id, "--name", "x.jpg", "--audience", "everyone")
	expectRemote(t, "attach --audience everyone", r, ExitInvalid, `"everyone"`, "staff", "officers", "customer")
	if media, files := rs.mediaState(job.ID); len(media) != len(mid) || !slices.Equal(files, midFiles) {
		t.Errorf("a refused audience stored something: %d -> %d media", len(mid), len(media))
	}

	// Staff read the three, each with its audience.
	media, _ := rs.mediaState(job.ID)
	if len(media) != len(media0)+3 {
		t.Fatalf("%d attachments, want %d (files before %v)", len(media), len(media0)+3, files0)
	}
	aud := map[string]store.Audience{}
	for _, m := range media {
		aud[m.Name] = m.Audience
	}
	if aud["site-map.pdf"] != store.AudienceCustomer || aud["gate.jpg"] != store.AudienceStaff || aud["radio-plan.txt"] != store.AudienceOfficers {
		t.Errorf("stored audiences %v", aud)
	}
	// The customer's view: only the shared file, no path, no staff name.
	x, err := rs.store.Extras(ctx, store.SSHActor("cora"), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range x.Media {
		names = append(names, m.Name)
		if m.Path != "" || m.AddedBy != "office" {
			t.Errorf("the customer is given %q by %q", m.Path, m.AddedBy)
		}
	}
	if !slices.Equal(names, []string{"site-map.pdf"}) {
		t.Errorf("the customer sees %v, want only site-map.pdf", names)
	}

	// The help names the flag and its values.
	if r := runWith(rs.env, "job", "attach", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--audience") || !strings.Contains(r.stdout, "officers") {
		t.Errorf("job attach --help: exit %d\n%s", r.code, r.stdout)
	}
}
