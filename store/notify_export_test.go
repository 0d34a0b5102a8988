package store

import (
	"context"
	"database/sql"
)

// The hooks the self-service methods call, each in a write transaction of
// its own, for notify_test.go.

func TellReceived(ctx context.Context, s *Store, jobID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.tellReceived(ctx, tx, jobID) })
}

func TellDropped(ctx context.Context, s *Store, positionID, officerID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.tellDropped(ctx, tx, positionID, officerID) })
}

func TellSignupPending(ctx context.Context, s *Store, signupID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.tellSignupPending(ctx, tx, signupID) })
}
