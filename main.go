// Command offduty is a terminal dispatch console for an office that hires out
// off-duty police officers on behalf of partner agencies. The commands live
// in ui/cli; this only starts them.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // a bare machine still knows America/Denver

	"offduty/ui/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
	}))
}
