package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Exit statuses, the same for every command; exitTable describes them in
// "sessionkit help", doc.go and README.md.
const (
	exitOK        = 0
	exitFail      = 1 // a check failed, or the command could not finish
	exitUsage     = 2 // any mistake in the command line
	exitMalformed = 3 // malformed cookie or input
	exitExpired   = 4 // expired or signed in the future
)

// exitTable is the exit status table shown by "sessionkit help".
const exitTable = `Exit status, the same for every command:

	0  success: the cookie is valid, nothing weak was found, every check passed
	1  a check failed: bad signature or tag, or a token sealed with another
	   key (verify), weak or published key (audit), a Desafio check failed
	   (desafio); or the command could not finish (random source failed, the
	   demo could not start)
	2  usage error: unknown command or flag, bad flag value, missing or extra
	   argument, no cookie given, a key or word list file that cannot be read
	3  malformed input: not a Flask cookie nor an SK1 token, bad payload, not
	   a JSON object, over a size limit
	4  expired, or signed or sealed in the future (verify)
`

// run is the whole program behind main, with its environment passed in so
// that tests drive it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		getenv: os.Getenv,
		now:    time.Now,
		sleep:  sleep,
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
	sleep          func(ctx context.Context, d time.Duration) error
	random         io.Reader
	transport      http.RoundTripper // nil: http.DefaultTransport
}

// sleep waits for d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
		e.desafioCommand(),
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
		fmt.Fprintf(e.stderr, "sessionkit: unknown command %q\nRun 'sessionkit help' for the list of commands.\n", printable(name))
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
		fmt.Fprintf(e.stderr, "sessionkit %s: %s\nRun 'sessionkit help %s' for usage.\n", c.name, printable(oneLine(c.name, ue.Error())), c.name)
		return exitUsage
	}
	code := exitFail
	var xe *exitError
	if errors.As(err, &xe) {
		code = xe.code
		if xe.err == nil {
			return code // the command's output already says why
		}
	}
	fmt.Fprintf(e.stderr, "sessionkit %s: %s\n", c.name, printable(oneLine(c.name, err.Error())))
	return code
}

// oneLine trims what would stutter after "sessionkit name: " (the
// command's own name, as errors of internal packages begin) and joins
// lines.
func oneLine(name, msg string) string {
	msg = strings.TrimPrefix(msg, name+": ")
	return strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " \n ")), " ")
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }

func (u *usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exitError is a failure that maps to a particular exit status.
type exitError struct {
	code int
	err  error
}

func (x *exitError) Error() string {
	if x.err == nil {
		return fmt.Sprintf("exit status %d", x.code)
	}
	return x.err.Error()
}
func (x *exitError) Unwrap() error { return x.err }

func fail(code int, err error) error { return &exitError{code, err} }

func failf(code int, format string, args ...any) error {
	return &exitError{code, fmt.Errorf(format, args...)}
}

// newFlags returns an empty flag set for command c. Its errors are
// reported by parse, not printed by the flag package.
func (e *env) newFlags(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("sessionkit "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	c.fs = fs
	return fs
}

// parse parses args into c's flags. -h prints c's help on standard output
// and returns flag.ErrHelp; other mistakes become usage errors.
func (e *env) parse(c *command, args []string) error {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printUsage(e.stdout)
			return err
		}
		return &usageError{err}
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
	fmt.Fprintf(w, "\nUse \"sessionkit help <command>\" for more information about a command.\n\n%s", exitTable)
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
				return usagef("unknown command %q: run 'sessionkit help' for the list", c.fs.Arg(0))
			}
			t.printUsage(e.stdout)
			return nil
		}
		return usagef("give one command, as in: sessionkit help verify")
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
