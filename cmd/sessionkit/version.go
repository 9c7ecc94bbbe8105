package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

func (e *env) versionCommand() *command {
	c := &command{
		name:  "version",
		short: "print the version",
		usage: "version",
		long: `
Version prints the module version of sessionkit, the source revision it was
built from when known, and the Go version.`,
		example: "sessionkit version",
	}
	fs := e.newFlags(c)
	c.run = func(ctx context.Context, args []string) error {
		if err := e.parse(c, args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usagef("unexpected argument %q", fs.Arg(0))
		}
		info, ok := debug.ReadBuildInfo()
		if !ok {
			fmt.Fprintln(e.stdout, "sessionkit (version unknown: built without module support)")
			return nil
		}
		line := "sessionkit " + info.Main.Version
		var rev, when, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = " (modified)"
				}
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			line += " " + rev + dirty
			if when != "" {
				line += " " + when
			}
		}
		fmt.Fprintf(e.stdout, "%s %s\n", printable(line), info.GoVersion)
		return nil
	}
	return c
}
