package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sessionkit/session/internal/desafio"
)

func (e *env) desafioCommand() *command {
	c := &command{
		name:  "desafio",
		short: "check a learner's Desafio app, as a browser would",
		usage: "desafio [-lang pt-BR|en] [-wait] [-lifetime duration] [-login path] [-protected path] [-logout path] [flags] url",
		long: `
Desafio checks the lesson's Desafio, a small Flask app with login, from
outside: it opens the app at url as a browser would (it fills the login
form, keeps the cookies, follows redirects) and prints a checklist, in
Portuguese by default or in English with -lang en.

The app must do what the Desafio page states (the contract):

	1. Use a random SECRET_KEY (secrets.token_hex()), never the lesson's
	   example key, a variant of it, or one copied from a tutorial.
	2. GET /login shows a <form method="post"> with a text field usuario
	   (a password field is optional; the grader types sessao123).
	3. POST /login with a name keeps it in session["usuario"], sets
	   session.permanent = True with PERMANENT_SESSION_LIFETIME of
	   2 minutes, flashes a message and redirects to /perfil.
	4. GET /perfil shows the name; without a login it redirects to /login
	   (or answers 401 or 403).
	5. GET /logout (or a form on /perfil posting to /logout) clears the
	   session, flashes a message and redirects.
	6. Pages show get_flashed_messages().
	7. Flask's default signed cookie session, which refuses tampering.

The checks: the login form; /perfil refuses anonymous visitors; logging in
works and /perfil shows the name; the session cookie is a Flask cookie
(read with package flask) holding the name; no published key nor variant
of the lesson's key signs it (as audit -cookie tries them, plus -wordlist);
the session is permanent and its Expires is the lifetime from the server's
Date; flashes after logging in and out are shown on the next page; logout
removes the name and /perfil refuses again; a copy of the cookie with
another name and the old signature is refused.

That the server refuses a cookie left idle for the lifetime is checked only
with -wait, which waits the lifetime plus 5 seconds (2m5s). Without it the
lifetime check reads Expires and says the rest was not checked. -lifetime 0
drops the lifetime check, for apps whose session is not permanent.

Paths, the form field and the cookie's name follow the contract unless
-login, -protected, -logout, -user-field and -name say otherwise. Apps
whose messages are not flashes kept in the session cookie can name the
text to look for with -login-message and -logout-message.

Exit status: 0 every check passed, 1 a check failed, 2 usage.`,
		example: `sessionkit desafio http://127.0.0.1:5000
sessionkit desafio -lang en -wait http://127.0.0.1:5000`,
	}
	fs := e.newFlags(c)
	lang := fs.String("lang", "pt-BR", "checklist `language`: pt-BR or en")
	wait := fs.Bool("wait", false, "wait the lifetime plus 5s to see the server refuse an idle session")
	lifetime := &maxAgeFlag{desafio.DefaultLifetime}
	fs.Var(lifetime, "lifetime", "the permanent session's `duration` the task asks for (Go duration or seconds; 0: not required)")
	login := fs.String("login", desafio.DefaultLoginPath, "the login page's `path`")
	protected := fs.String("protected", desafio.DefaultProtectedPath, "the protected page's `path`")
	logout := fs.String("logout", desafio.DefaultLogoutPath, "the logout `path`")
	userField := fs.String("user-field", "", "the login form's `field` for the name (default: usuario, nome, username, ... or the first text field)")
	user := fs.String("user", desafio.DefaultUser, "the `name` to log in as")
	password := fs.String("password", desafio.DefaultPassword, "the `password` typed into a password field")
	name := nameFlag(fs)
	loginMessage := fs.String("login-message", "", "`text` the page after logging in shows, when it is not a flash in the cookie")
	logoutMessage := fs.String("logout-message", "", "`text` the page after logging out shows, when it is not a flash in the cookie")
	wordlist := fs.String("wordlist", "", "also try the keys in `file` against the cookie, one a line")
	maxWords := fs.Int("max-words", defaultMaxWords, "read at most `n` wordlist entries")
	timeout := fs.Duration("timeout", 10*time.Second, "give up on a request after `duration`")
	c.run = func(ctx context.Context, args []string) error {
		if err := e.parse(c, args); err != nil {
			return err
		}
		switch {
		case fs.NArg() == 0:
			return usagef("give the app's URL, as in: sessionkit desafio http://127.0.0.1:5000")
		case fs.NArg() > 1:
			return usagef("give one URL, then no more arguments (flags go before it)")
		case *lang != "pt-BR" && *lang != "en":
			return usagef("-lang must be pt-BR or en")
		case lifetime.d < 0:
			return usagef("-lifetime must not be negative")
		case *timeout <= 0:
			return usagef("-timeout must be positive")
		case *maxWords < 1:
			return usagef("-max-words must be positive")
		}
		for _, p := range []struct{ flag, path string }{{"login", *login}, {"protected", *protected}, {"logout", *logout}} {
			if !strings.HasPrefix(p.path, "/") {
				return usagef("-%s must be a path starting with /, as %s", p.flag, map[string]string{"login": "/login", "protected": "/perfil", "logout": "/logout"}[p.flag])
			}
		}
		g := &desafio.Grader{
			LoginPath:     *login,
			ProtectedPath: *protected,
			LogoutPath:    *logout,
			UserField:     *userField,
			User:          *user,
			Password:      *password,
			Lifetime:      lifetime.d,
			CookieName:    *name,
			LoginMessage:  *loginMessage,
			LogoutMessage: *logoutMessage,
			Wait:          *wait,
			Lang:          *lang,
			Now:           e.now,
			Sleep:         e.sleep,
			Progress:      e.stderr,
		}
		if lifetime.d == 0 {
			g.Lifetime = -1
		}
		g.Client = e.httpClient(*timeout)
		if *wordlist != "" {
			err := scanWordlist(ctx, *wordlist, *maxWords, func(line int, word string) bool {
				g.Wordlist = append(g.Wordlist, desafio.WordlistKey{Line: line, Key: word})
				return true
			})
			if err != nil {
				return err
			}
		}
		r, err := g.Run(ctx, fs.Arg(0))
		if errors.Is(err, desafio.ErrURL) {
			return usagef("%q is not an app's URL: give one as http://127.0.0.1:5000", fs.Arg(0))
		}
		if err != nil {
			return err
		}
		if _, err := r.WriteTo(printableWriter{e.stdout}); err != nil {
			return err
		}
		if !r.OK() {
			return fail(exitFail, nil)
		}
		return nil
	}
	return c
}

// printableWriter escapes what the app under test may have put in the
// report (a flash message, a name), keeping newlines and letters.
type printableWriter struct{ w io.Writer }

func (p printableWriter) Write(b []byte) (int, error) {
	lines := strings.Split(string(b), "\n")
	for i := range lines {
		lines[i] = printableUTF8(lines[i])
	}
	if _, err := fmt.Fprint(p.w, strings.Join(lines, "\n")); err != nil {
		return 0, err
	}
	return len(b), nil
}

// httpClient is the grader's client: it never follows redirects itself.
func (e *env) httpClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Transport:     e.transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
