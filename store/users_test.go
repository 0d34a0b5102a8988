package store_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"offduty/pricing"
	"offduty/store"
)

func newKey(t *testing.T) (string, ssh.PublicKey) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " someone@host", k
}

func TestUsersAndRoles(t *testing.T) {
	ctx := context.Background()
	s, _ := seededStore(t)
	cust, site := customerAndSite(t, s, "Role Co")
	other, _ := customerAndSite(t, s, "Other Co")
	opKey, opPub := newKey(t)
	dispKey, _ := newKey(t)
	custKey, custPub := newKey(t)

	if _, err := s.CreateUser(ctx, "admin", "olga", store.RoleOperator, 0, []string{opKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "admin", "dan", store.RoleDispatcher, 0, []string{dispKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "admin", "cora", store.RoleCustomer, cust, []string{custKey}); err != nil {
		t.Fatal(err)
	}
	// bad input
	for _, c := range []struct {
		name, role string
		cust       int64
		keys       []string
		code       string
	}{
		{"olga", store.RoleOperator, 0, nil, store.EConflict},                  // taken
		{"bad name", store.RoleOperator, 0, nil, store.EInvalid},               // space
		{"x", "boss", 0, nil, store.EInvalid},                                  // role
		{"y", store.RoleCustomer, 0, nil, store.EInvalid},                      // customer without account
		{"z", store.RoleOperator, cust, nil, store.EInvalid},                   // account on a staff user
		{"w", store.RoleOperator, 0, []string{"ssh-rsa nope"}, store.EInvalid}, // key
		{"v", store.RoleOperator, 0, []string{opKey}, store.EConflict},         // key of another user
	} {
		_, err := s.CreateUser(ctx, "admin", c.name, c.role, c.cust, c.keys)
		if store.ErrorCode(err) != c.code {
			t.Errorf("CreateUser(%q, %q): %v, want %s", c.name, c.role, err, c.code)
		}
	}
	u, err := s.UserByKey(ctx, custPub)
	if err != nil || u.Name != "cora" || u.CustomerID != cust {
		t.Fatalf("UserByKey = %+v, %v", u, err)
	}
	if _, err := s.UserByKey(ctx, func() ssh.PublicKey { _, k := newKey(t); return k }()); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("unknown key: %v", err)
	}

	in := store.JobInput{CustomerID: cust, SiteID: site, Agency: "west-valley-city", Start: mustLocal("2026-12-08 10:00"),
		End: mustLocal("2026-12-08 14:00"), Officers: 2, Venue: pricing.VenueRetail, Received: testNow}
	// an operator creates requests but cannot approve them
	ids, err := s.CreateJobs(ctx, store.SSHActor("olga"), in)
	if err != nil {
		t.Fatalf("operator request: %v", err)
	}
	err = s.Approve(ctx, store.SSHActor("olga"), ids[0])
	if store.ErrorCode(err) != store.EForbidden || !strings.Contains(err.Error(), "olga is an operator: this needs a dispatcher") {
		t.Fatalf("operator approve: %v", err)
	}
	if err := s.Approve(ctx, store.SSHActor("dan"), ids[0]); err != nil {
		t.Fatalf("dispatcher approve: %v", err)
	}
	// a dispatcher cannot touch officers or users; a customer writes nothing
	// but requests for its own account (issue 13)
	if _, err := s.CreateOfficer(ctx, store.SSHActor("dan"), store.OfficerInput{AgencyID: 1, Badge: "X1", FirstName: "A", LastName: "B",
		Rank: "officer", WeeklyCapMinutes: 600, HiredOn: testNow}); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("dispatcher CreateOfficer: %v", err)
	}
	elsewhere := in
	elsewhere.CustomerID = cust + 1000
	if _, err := s.CreateJobs(ctx, store.SSHActor("cora"), elsewhere); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("customer request for another account: %v", err)
	}
	if _, err := s.CreateJobs(ctx, store.SSHActor("cora"), in); err != nil {
		t.Fatalf("customer request for its own account: %v", err)
	}
	if _, err := s.AddNote(ctx, store.SSHActor("cora"), ids[0], "hi", store.AudienceStaff); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("customer note: %v", err)
	}
	if _, err := s.CreateUser(ctx, store.SSHActor("dan"), "eve", store.RoleSupervisor, 0, nil); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("dispatcher CreateUser: %v", err)
	}
	// a removed user can do nothing over SSH
	if err := s.RemoveUser(ctx, "admin", "dan"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, store.SSHActor("dan"), ids[0], "still here?", store.AudienceStaff); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("removed user: %v", err)
	}
	// keys come and go
	k2, _ := newKey(t)
	if err := s.AddUserKey(ctx, "admin", "olga", k2); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveUserKey(ctx, "admin", "olga", ssh.FingerprintSHA256(opPub)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByKey(ctx, opPub); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("removed key still signs in: %v", err)
	}
	users, err := s.Users(ctx, "")
	if err != nil || len(users) != 2 {
		t.Fatalf("Users = %d, %v", len(users), err)
	}
	_ = other
	// every change is audited with who did it
	audit, err := s.Audit(ctx, store.AuditFilter{Actor: store.SSHActor("olga")})
	if err != nil || len(audit) == 0 {
		t.Fatalf("no audit for olga@ssh: %v", err)
	}
}
