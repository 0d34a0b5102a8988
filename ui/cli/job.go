package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"offduty/store"
	"offduty/ui"
)

func newJobCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "job",
		Short: "Attach a photo, video or document to a job, list them, get one back",
	}
	group(c, newJobAttachCmd(e), newJobMediaCmd(e))
	return c
}

func newJobMediaCmd(e *env) *cobra.Command {
	var out string
	var asJSON bool
	c := &cobra.Command{
		Use:   "media JOB [MEDIA-ID]",
		Short: "List a job's attachments, or write one of them out",
		Long: `Lists the photos, videos and documents attached to a job that you may see (each with
its id), or with MEDIA-ID writes that one to stdout, or locally to -o FILE: over SSH it
comes on the connection, on either engine (on PostgreSQL the files are kept in the
database). Who sees what follows the attachment's audience, as on the console.
Exit status: 0 listed or written; 1 an unknown job or attachment; 2 refused by the role.`,
		Example: `  offduty job media 132
  ssh -p 2222 office job media 132 7 > gate.jpg
  offduty job media 132 7 -o ~/gate.jpg`,
	}
	outputFlag(c.Flags(), &out, "write the attachment to `FILE` (locally; default stdout)")
	c.Flags().BoolVar(&asJSON, "json", false, "list as a JSON array")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "job media"
		if len(pos) < 1 || len(pos) > 2 {
			return fail(ExitInvalid, "%s: want JOB and an optional MEDIA-ID (see offduty job media --help)", label)
		}
		jobID, err := jobNumber(label, pos[0])
		if err != nil {
			return err
		}
		var mediaID int64
		if len(pos) == 2 {
			if mediaID, err = parseWhole(pos[1]); err != nil || mediaID <= 0 {
				return fail(ExitInvalid, "%s: MEDIA-ID must be a number as the list shows it, got %q", label, pos[1])
			}
			if err := e.checkOut(label, out); err != nil {
				return err
			}
			if toStdout(out) && e.stdoutIsTerminal() {
				return fail(ExitInvalid, "%s: a file is not shown on a terminal: redirect it (> FILE) or give -o FILE", label)
			}
		}
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		x, err := s.Extras(ctx, e.actor(), jobID)
		if err != nil {
			return storeFail(label, err)
		}
		if mediaID == 0 {
			if asJSON {
				list := []map[string]any{}
				for _, m := range x.Media {
					list = append(list, map[string]any{"id": m.ID, "name": m.Name, "size": m.Size, "type": m.Type,
						"audience": string(m.Audience), "added_at": m.AddedAt.UTC().Format(time.RFC3339), "added_by": m.AddedBy, "sha256": m.SHA256})
				}
				return writeJSON(e.stdout, list)
			}
			if len(x.Media) == 0 {
				fmt.Fprintf(e.stdout, "Job #%d has no attachments you may see.\n", jobID)
				return nil
			}
			for _, m := range x.Media {
				aud := m.Audience
				if aud == "" {
					aud = store.AudienceStaff
				}
				typ, _, _ := strings.Cut(clean(m.Type), ";") // "text/plain", not its charset
				fmt.Fprintf(e.stdout, "%-5s %-32s %9s  %-24s %-8s %s by %s\n", fmt.Sprintf("#%d", m.ID), clean(m.Name), ui.ByteSize(m.Size), typ,
					aud, m.AddedAt.In(office()).Format("2006-01-02 15:04"), clean(m.AddedBy))
			}
			return nil
		}
		found, err := s.JobMedia(ctx, e.actor(), jobID, mediaID)
		if store.ErrorCode(err) == store.ENotFound && store.ErrorField(err) == "media" {
			return fail(ExitInvalid, "%s: job #%d has no attachment #%d that you may see (offduty job media %d lists them)", label, jobID, mediaID, jobID)
		} else if err != nil {
			return storeFail(label, err)
		}
		r, err := s.OpenMedia(ctx, e.actor(), found)
		if err != nil {
			return storeFail(label, err)
		}
		defer r.Close()
		if err := e.writeOut(out, 0o600, func(w io.Writer) error { _, err := io.Copy(w, r); return err }); err != nil {
			return fail(ExitInvalid, "%s: %v", label, err)
		}
		if !toStdout(out) {
			fmt.Fprintf(e.stderr, "wrote %s (%s) to %s\n", clean(found.Name), ui.ByteSize(found.Size), out)
		}
		return nil
	}
	return c
}

func newJobAttachCmd(e *env) *cobra.Command {
	var name, audience string
	c := &cobra.Command{
		Use:   "attach JOB [FILE]",
		Short: "Attach a file to a job: FILE, or stdin with --name",
		Long: fmt.Sprintf(`Attaches a photo, video or document to a job, as the console's m does: it is kept
under its SHA-256 beside the database (the same content once) and listed on the job.
The file is read from stdin and named with --name; locally a FILE path may be given instead
(a regular file only: never a device, a pipe or a folder). Over SSH the file always comes on
stdin, from the user's own machine. At most %d MB. Dispatchers and supervisors only: the role
is checked before a byte is read.
--audience says who sees it: staff (the office only, the default), officers (and the officers
on the job), or customer (and the customer's users; the officers on the job see it too).
Exit status: 0 attached; 1 invalid input, an unknown job, or a file too large; 2 refused by
the user's role.`, store.MaxMediaBytes>>20),
		Example: `  ssh -p 2222 office job attach 132 --name photo.jpg < photo.jpg
  ssh -p 2222 office job attach 132 --name site-map.pdf --audience customer < site-map.pdf
  offduty job attach 132 ~/Pictures/gate.jpg --audience officers`,
	}
	c.Flags().StringVar(&name, "name", "", "the file's `NAME` as the job lists it (required with stdin)")
	c.Flags().StringVar(&audience, "audience", string(store.AudienceStaff), "who sees it: `staff`, officers (on the job) or customer (and the officers on the job)")
	c.RunE = func(cmd *cobra.Command, pos []string) error {
		const label = "job attach"
		if len(pos) < 1 || len(pos) > 2 {
			return fail(ExitInvalid, "%s: want JOB and, locally, an optional FILE (see offduty job attach --help)", label)
		}
		jobID, err := jobNumber(label, pos[0])
		if err != nil {
			return err
		}
		file := ""
		if len(pos) == 2 && pos[1] != "-" {
			file = pos[1]
		}
		if file != "" && e.remote != nil {
			return fail(ExitRefused, "%s: over SSH no file of the server is read: send yours on stdin: ssh ... job attach %d --name %s < %s",
				label, jobID, filepath.Base(file), filepath.Base(file))
		}
		if file != "" && name != "" {
			return fail(ExitInvalid, "%s: --name goes with a file on stdin; a FILE keeps its own name", label)
		}
		if file == "" && strings.TrimSpace(name) == "" {
			return fail(ExitInvalid, "%s: --name is required when the file comes on stdin, e.g. --name photo.jpg < photo.jpg", label)
		}
		aud, err := store.ParseAudience(audience)
		if err != nil { // before the store is opened or a byte read
			return storeFail(label, err)
		}
		ctx := cmd.Context()
		s, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer e.close(s)
		var m store.Media
		if file != "" {
			m, err = s.AttachMediaFile(ctx, e.actor(), jobID, file, aud)
		} else {
			m, err = s.AttachMedia(ctx, e.actor(), jobID, name, e.stdin, aud)
		}
		if err != nil {
			return storeFail(label, err)
		}
		fmt.Fprintf(e.stdout, "Attached %s (%s, %s) to job #%d as %s, seen by %s.\n", clean(m.Name), m.Type, ui.ByteSize(m.Size), jobID, m.SHA256[:12], m.Audience.Describe())
		return nil
	}
	return c
}
