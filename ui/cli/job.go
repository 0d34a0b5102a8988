package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"offduty/store"
)

func newJobCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "job",
		Short: "Attach a photo, video or document to a job",
	}
	group(c, newJobAttachCmd(e))
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
		fmt.Fprintf(e.stdout, "Attached %s (%s, %s) to job #%d as %s, seen by %s.\n", clean(m.Name), m.Type, byteSize(m.Size), jobID, m.SHA256[:12], m.Audience.Describe())
		return nil
	}
	return c
}

// byteSize is a size people read: 532 B, 14.2 KB, 3.1 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
