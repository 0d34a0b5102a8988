package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"offduty/pricing"
	"offduty/store"
	"offduty/ui/export"
)

func newShiftsCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "shifts",
		Short: "Export an officer's upcoming shifts as an iCalendar (.ics) file",
	}
	group(c, newShiftsExportCmd(e))
	return c
}

func newShiftsExportCmd(e *env) *cobra.Command {
	var officer, format, out, from string
	c := &cobra.Command{
		Use:   "export",
		Short: "An officer's shifts as an iCalendar file",
		Long: `Exports an officer's shifts (the positions they hold in jobs that are not cancelled)
that end after --from, soonest first, as an iCalendar file (RFC 5545) that phone and desktop
calendars import: one event per shift, its times in UTC (the calendar shows them in its own
zone), the site and its address as the location, and the customer, agency, job number,
position, local shift time, status, on-site contact and post orders in the notes. Each event has
a stable UID (position-ID@offduty), so a calendar recognises a shift it already has. An officer
with no shifts still gets a calendar that apps accept (it holds the office's time zone).
OFFICER is a badge (any case) or an officer's numeric id (#ID is always an id); a badge
used in two agencies is refused: give the id. Without -o, or with -o -, the calendar goes to
stdout (over SSH always: ssh ... > shifts.ics); a file is replaced atomically (written beside
it, then renamed) and a one-line summary goes to stderr. Staff export any officer's; an
officer user exports their own, without --officer (naming another officer is refused).
Exit status: 0 written; 1 invalid input, an unknown or ambiguous officer, or a file that
cannot be written, the message on stderr and nothing written; 2 refused by the user's role.`,
		Example: "  offduty shifts export --officer WV1702 -o alyssa.ics\n  ssh -p 2222 office shifts export --officer WV1702 > alyssa.ics\n" +
			"  ssh -p 2222 office shifts export > my-shifts.ics    (an officer user: their own)",
		Args: noArgs,
	}
	f := c.Flags()
	f.StringVar(&officer, "officer", "", "the officer: `BADGE` (any case) or numeric id, #ID for an id only (required for staff; an officer user's own by default)")
	f.StringVar(&format, "format", "ics", "output `FORMAT`: ics (iCalendar, RFC 5545)")
	outputFlag(f, &out, "write to `FILE`, replaced atomically; - or none writes to stdout")
	f.StringVar(&from, "from", "", "shifts that end after this day's start, `YYYY-MM-DD` office time (default: the clock)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		const label = "shifts export"
		who := strings.TrimSpace(officer)
		if who == "" && (e.remote == nil || e.remote.User.Role != store.RoleOfficer) { // an officer user's own by default
			return fail(ExitInvalid, "%s: --officer is required: a badge such as WV1702, or an officer's id", label)
		}
		if f := strings.ToLower(strings.TrimSpace(format)); f != "ics" {
			return fail(ExitInvalid, "%s: --format: unknown format %q (known: ics)", label, format)
		}
		loc := office()
		now, err := e.now()
		if err != nil {
			return err
		}
		since := now
		if from != "" {
			d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(from), loc)
			if err != nil {
				return fail(ExitInvalid, "%s: --from: want YYYY-MM-DD, got %q", label, from)
			}
			since = d
		}
		if err := e.checkOut(label, out); err != nil {
			return err
		}
		ctx := cmd.Context()
		s, now, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		v, err := s.Viewer(ctx, e.actor())
		if err != nil {
			return storeFail(label, err)
		}
		var o store.Officer
		var shifts []store.OfficerShift
		if v.IsOfficer() {
			if o, shifts, err = ownShifts(ctx, s, e.actor(), v, label, who, since); err != nil {
				return err
			}
		} else {
			if err := v.Need(store.PermRequest, "an officer's shifts"); err != nil {
				return storeFail(label, err)
			}
			if who == "" {
				return fail(ExitInvalid, "%s: --officer is required: a badge such as WV1702, or an officer's id", label)
			}
			if o, err = shiftsOfficer(ctx, s, label, who); err != nil {
				return err
			}
			if shifts, err = s.OfficerShifts(ctx, e.actor(), o.ID, since, 0); err != nil {
				return storeFail(label, err)
			}
		}
		if err := e.writeOut(out, 0o644, func(w io.Writer) error { return export.ShiftsICS(w, o, shifts, now, loc) }); err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		if !toStdout(out) {
			fmt.Fprintf(e.stderr, "wrote %d %s to %s\n", len(shifts), plural(len(shifts), "shift"), out)
		}
		return nil
	}
	return c
}

// shiftsOfficer resolves --officer: a badge (any case; refused when officers
// of several agencies have it), else a numeric id; "#12" is only an id.
func shiftsOfficer(ctx context.Context, s *store.Store, cmd, who string) (store.Officer, error) {
	byID := func(id int64) (store.Officer, error) {
		o, err := s.OfficerByID(ctx, id)
		if store.ErrorCode(err) == store.ENotFound {
			return o, fail(ExitInvalid, "%s: no officer with id %d", cmd, id)
		}
		if err != nil {
			return o, fail(ExitInvalid, "%s: %v", cmd, err)
		}
		return o, nil
	}
	if strings.HasPrefix(who, "#") {
		id, ok := idArg(who)
		if !ok {
			return store.Officer{}, fail(ExitInvalid, "%s: --officer: want a badge or an officer id such as #12, got %q", cmd, who)
		}
		return byID(id)
	}
	matches, err := s.OfficerByBadge(ctx, who)
	if err != nil {
		return store.Officer{}, fail(ExitInvalid, "%s: %v", cmd, err)
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		if id, ok := idArg(who); ok {
			if o, err := byID(id); err == nil {
				return o, nil
			}
		}
		return store.Officer{}, fail(ExitInvalid, "%s: no officer with badge or id %q", cmd, who)
	}
	var list []string
	for _, o := range matches {
		list = append(list, fmt.Sprintf("%d for %s %s (%s)", o.ID, clean(o.Badge), clean(o.Name()), clean(o.AgencySlug)))
	}
	return store.Officer{}, fail(ExitInvalid, "%s: badge %q is used in %d agencies: give the officer's numeric id with --officer: %s",
		cmd, who, len(matches), strings.Join(list, ", "))
}

// ownShifts is an officer user's own calendar: their shifts that end after
// since, held and not cancelled, soonest first. --officer may name
// themselves; anyone else is refused.
func ownShifts(ctx context.Context, s *store.Store, actor string, v store.Viewer, cmd, who string, since time.Time) (store.Officer, []store.OfficerShift, error) {
	if who != "" {
		other, err := shiftsOfficer(ctx, s, cmd, who)
		if err != nil {
			return store.Officer{}, nil, err
		}
		if other.ID != v.OfficerID {
			return store.Officer{}, nil, fail(ExitRefused, "%s: %s is an officer user: they export their own shifts only (leave out --officer)", cmd, v.Name)
		}
	}
	o, err := s.OfficerByID(ctx, v.OfficerID)
	if err != nil {
		return o, nil, storeFail(cmd, err)
	}
	// a shift lasts at most a day: one ending after since started after since minus that
	mine, err := s.MyShifts(ctx, actor, since.Add(-pricing.MaxShiftMinutes*time.Minute), since.AddDate(ownShiftsYears, 0, 0))
	if err != nil {
		return o, nil, storeFail(cmd, err)
	}
	var out []store.OfficerShift
	for _, m := range mine {
		if !m.End.After(since) || m.JobStatus == store.StatusCancelled {
			continue
		}
		out = append(out, m.OfficerShift)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return o, out, nil
}

// ownShiftsYears is how far ahead an officer's own calendar reaches.
const ownShiftsYears = 3
