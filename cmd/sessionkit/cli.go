package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Exit statuses, documented in doc.go and in "sessionkit help".
const (
	exitOK        = 0
	exitFail      = 1 // bad signature, weakness found, command failed
	exitUsage     = 2
	exitMalformed = 3 // malformed cookie or input
	exitExpired   = 4 // expired or signed in the future
)

// run is the whole program behind main, with its environment passed in so
// that tests drive it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		getenv: os.Getenv,
		now:    time.Now,
		random: rand.Reader,
	}
	return e.run(ctx, args)
}

// env is what a command may touch of the outside world. Tests replace the
// clock, the random source and the environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	random         io.Reader
}

// command is one subcommand: its flags, its help text and what it does.
type command struct {
	name    string
	short   string // one line for the command list
	usage   string // the usage line after "sessionkit "
	long    string // paragraphs shown by "sessionkit help name"
	example string // one example, shown indented
	fs      *flag.FlagSet
	run     func(ctx context.Context, args []string) error
}

// commands lists the subcommands in the order help shows them. Each call
// builds fresh flag sets bound to e.
func (e *env) commands() []*command {
	return []*command{
		e.secretCommand(),
		e.decodeCommand(),
		e.verifyCommand(),
		e.signCommand(),
		e.auditCommand(),
		e.demoCommand(),
		e.versionCommand(),
		e.helpCommand(),
	}
}

func (e *env) lookup(name string) *command {
	for _, c := range e.commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (e *env) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		e.printMainUsage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		e.printMainUsage(e.stdout)
		return exitOK
	}
	c := e.lookup(name)
	if c == nil {
		fmt.Fprintf(e.stderr, "sessionkit %s: unknown command\nRun 'sessionkit help' for usage.\n", printable(name))
		return exitUsage
	}
	err := c.run(ctx, args[1:])
	return e.report(c, err)
}

// report prints err for command c and returns the exit status it maps to.
func (e *env) report(c *command, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.err != nil {
			fmt.Fprintf(e.stderr, "sessionkit %s: %s\n", c.name, printable(ue.err.Error()))
		}
		fmt.Fprintf(e.stderr, "usage: sessionkit %s\nRun 'sessionkit help %s' for details.\n", c.usage, c.name)
		return exitUsage
	}
	code := exitFail
	var xe *exitError
	if errors.As(err, &xe) {
		code = xe.code
	}
	fmt.Fprintf(e.stderr, "sessionkit %s: %s\n", c.name, printable(err.Error()))
	return code
}

// usageError is a mistake in the command line (exit status 2). A nil err
// means the flag package has already described it.
type usageError struct{ err error }

func (u *usageError) Error() string {
	if u.err == nil {
		return "usage error"
	}
	return u.err.Error()
}

func (u *usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exitError is a failure that maps to a particular exit status.
type exitError struct {
	code int
	err  error
}

func (x *exitError) Error() string { return x.err.Error() }
func (x *exitError) Unwrap() error { return x.err }

func fail(code int, err error) error { return &exitError{code, err} }

func failf(code int, format string, args ...any) error {
	return &exitError{code, fmt.Errorf(format, args...)}
}

// newFlags returns an empty flag set for command c whose errors go to
// stderr and whose -h prints c's help on stdout.
func (e *env) newFlags(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("sessionkit "+c.name, flag.ContinueOnError)
	// The flag package echoes unknown flag names as typed.
	fs.SetOutput(escapingWriter{e.stderr})
	fs.Usage = func() {}
	c.fs = fs
	return fs
}

// parse parses args into c's flags. -h prints c's help and returns
// flag.ErrHelp; other mistakes become usage errors.
func (e *env) parse(c *command, args []string) error {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printUsage(e.stdout)
			return err
		}
		// The flag package has already printed what was wrong.
		return &usageError{}
	}
	return nil
}

// printUsage writes c's help in the style of the go command.
func (c *command) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: sessionkit %s\n\n%s\n", c.usage, strings.TrimSpace(c.long))
	if c.fs != nil && hasFlags(c.fs) {
		fmt.Fprintf(w, "\nFlags:\n")
		out := c.fs.Output()
		c.fs.SetOutput(w)
		c.fs.PrintDefaults()
		c.fs.SetOutput(out)
	}
	if c.example != "" {
		fmt.Fprintf(w, "\nExample:\n\n")
		for _, line := range strings.Split(strings.TrimSpace(c.example), "\n") {
			fmt.Fprintf(w, "\t%s\n", line)
		}
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func (e *env) printMainUsage(w io.Writer) {
	fmt.Fprintf(w, "Sessionkit works with Flask session cookies: keys, decoding, verifying,\nsigning, auditing, and the lesson's demo site.\n\n")
	fmt.Fprintf(w, "Usage:\n\n\tsessionkit <command> [arguments]\n\nThe commands are:\n\n")
	for _, c := range e.commands() {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.short)
	}
	fmt.Fprintf(w, "\nUse \"sessionkit help <command>\" for more information about a command.\n")
	fmt.Fprintf(w, "\nExit status: 0 success, 1 bad signature or weakness found or failure,\n2 usage error, 3 malformed cookie or input, 4 expired or signed in the future.\n")
}

func (e *env) helpCommand() *command {
	c := &command{
		name:  "help",
		short: "show help for a command",
		usage: "help [command]",
		long: `
Help shows the list of commands, or the flags, exit statuses and an example
of one command.`,
		example: "sessionkit help verify",
	}
	e.newFlags(c)
	c.run = func(ctx context.Context, args []string) error {
		if err := e.parse(c, args); err != nil {
			return err
		}
		switch c.fs.NArg() {
		case 0:
			e.printMainUsage(e.stdout)
			return nil
		case 1:
			t := e.lookup(c.fs.Arg(0))
			if t == nil {
				return usagef("unknown command %q", c.fs.Arg(0))
			}
			t.printUsage(e.stdout)
			return nil
		}
		return usagef("too many arguments")
	}
	return c
}

// escapingWriter escapes what printable escapes, keeping newlines and tabs:
// for text, such as the flag package's messages, that may quote argv.
type escapingWriter struct{ w io.Writer }

func (x escapingWriter) Write(p []byte) (int, error) {
	lines := strings.Split(string(p), "\n")
	for i, line := range lines {
		fields := strings.Split(line, "\t")
		for j := range fields {
			fields[j] = printable(fields[j])
		}
		lines[i] = strings.Join(fields, "\t")
	}
	if _, err := io.WriteString(x.w, strings.Join(lines, "\n")); err != nil {
		return 0, err
	}
	return len(p), nil
}
