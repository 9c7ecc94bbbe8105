package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
)

// maxSignInput caps the JSON sign reads: the decompressed-size cap of the
// codec, since a session larger than that could never be read back.
const maxSignInput = flask.DefaultMaxDecompressed

func (e *env) signCommand() *command {
	c := &command{
		name:  "sign",
		short: "make a cookie that Flask accepts, signed or sealed",
		usage: "sign [-key-file file | -key-env name | -key key] [-now unix] [-salt salt] [-tagged] [-permanent] [-compress mode]\n       [-sealed [-name name] [-purpose p] [-app id]] [-json '{...}' | < file]",
		long: `
Sign prints the value of a session cookie holding the given session, signed
with the key as Flask signs it, so that a Flask app with that SECRET_KEY
accepts it. The session is a JSON object, from -json or standard input.

Plain JSON (the default) is taken as data: objects become dicts, arrays
lists, numbers with a fraction or exponent floats and others integers of
any size. A one-key dict whose key looks like a Flask tag (" t", " b", ...)
is escaped as Flask escapes it. With -tagged the input is read as Flask's
tagged JSON instead, so every type Flask stores can be made: tuples
{" t":[...]}, bytes {" b":"base64"}, Markup {" m":"..."}, UUIDs {" u":"hex"}
and datetimes {" d":"HTTP date"}. -permanent sets session.permanent (the
"_permanent" key).

With -sealed the session is sealed into an SK1 token instead (the format of
session.NewSealed and python/sessionkit_seal, docs/ENCRYPTED.md): the same
tagged JSON, encrypted with a key derived from the same secret key, and
bound to the cookie's -name (default session), -purpose (default session)
and -app (Flask's SESSIONKIT_APP_ID, default none). A token is never
compressed, and its IV is random: two runs give two different tokens for
one session, both valid.

Signing with a key that the library's key policy calls weak works (to test
an app that uses one) but warns.

Exit status: 0 signed, 1 the session cannot be written (too large for a
cookie, unsupported value), 2 usage, 3 input that is not a JSON object or is
too large.`,
		example: `sessionkit sign -key-file secret_key.txt -json '{"usuario": "Maria"}'
sessionkit sign -sealed -key-file secret_key.txt -json '{"usuario": "Maria"}'`,
	}
	fs := e.newFlags(c)
	keys := addKeyFlags(fs, false, true)
	now := e.nowFlag(fs)
	input := fs.String("json", "", "the session as a JSON `object` (default: read standard input)")
	tagged := fs.Bool("tagged", false, "read the input as Flask's tagged JSON")
	permanent := fs.Bool("permanent", false, `mark the session permanent (session.permanent = True)`)
	compress := fs.String("compress", "flask", "when to compress: `flask` (as Flask: when it saves 2 bytes), auto or never")
	sealed := fs.Bool("sealed", false, "seal the session into an SK1 token (encrypted) instead of signing it")
	name := fs.String("name", defaultCookieName, "with -sealed: the cookie's `name`, which the token is bound to (SESSION_COOKIE_NAME)")
	scope := addScopeFlags(fs)
	c.run = func(ctx context.Context, args []string) error {
		if err := e.parse(c, args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usagef("unexpected argument %q (give the session with -json or on standard input)", fs.Arg(0))
		}
		switch {
		case *sealed && (isFlagSet(fs, "compress") || isFlagSet(fs, "salt")):
			return usagef("-compress and -salt are for Flask's signed cookies; an SK1 token is never compressed, and is bound to -name, -purpose and -app")
		case !*sealed && (scopeGiven(fs) || isFlagSet(fs, "name")):
			return usagef("-name, -purpose and -app go with -sealed")
		case *name == "":
			return usagef("-name must not be empty: it is the session cookie's name, session by default")
		}
		var mode flask.Compression
		switch *compress {
		case "flask":
			mode = flask.CompressFlask
		case "auto":
			mode = flask.CompressAuto
		case "never":
			mode = flask.CompressNever
		default:
			return usagef("-compress must be flask, auto or never")
		}
		key, _, err := keys.load(e, c.name)
		if err != nil {
			return err
		}
		var we *session.WeakKeyError
		if errors.As(session.CheckKey(key), &we) {
			fmt.Fprintf(e.stderr, "sessionkit sign: warning: the key is weak: %s; %s\n", printable(we.Reason), we.Fix)
		}
		signer, err := keys.signer(key, nil)
		if err != nil {
			return err
		}
		var data []byte
		if isFlagSet(fs, "json") {
			data = []byte(*input)
			if len(data) > maxSignInput {
				return failf(exitMalformed, "-json is larger than %d bytes", maxSignInput)
			}
		} else {
			data, err = readAtMost(e.stdin, maxSignInput)
			if errors.Is(err, errTooLarge) {
				return failf(exitMalformed, "the session on standard input is larger than %d bytes", maxSignInput)
			}
			if err != nil {
				return err
			}
		}
		var m map[string]any
		if *tagged {
			m, err = flask.Unmarshal(data)
		} else {
			m, err = plainJSON(data)
		}
		if err != nil {
			return failf(exitMalformed, "the session is not a JSON object: %v (give one such as -json '{\"usuario\": \"Maria\"}')", err)
		}
		if *permanent {
			m["_permanent"] = true
		}
		if *sealed {
			return e.signSealed(scope, key, *name, m, now.time(e))
		}
		codec := flask.NewCodec(signer)
		codec.Compression = mode
		cookie, err := codec.Encode(m, now.time(e))
		if err != nil {
			return fail(exitFail, err)
		}
		_, err = fmt.Fprintln(e.stdout, cookie)
		return err
	}
	return c
}

// signSealed prints the SK1 token of session m, sealed with key for the
// cookie called name, issued at now.
func (e *env) signSealed(scope *scopeOptions, key []byte, name string, m map[string]any, now time.Time) error {
	sl, err := scope.sealer(key, nil)
	if err != nil {
		return err
	}
	js, err := flask.Marshal(m)
	if err != nil {
		return fail(exitFail, err)
	}
	token, err := sl.Seal(name, js, now)
	if err != nil {
		return fail(exitFail, err)
	}
	_, err = fmt.Fprintln(e.stdout, token)
	return err
}

// isFlagSet reports whether the flag name was given on the command line.
func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// plainJSON parses a JSON object as data, the way Python's json.loads
// does for oracle.py --json: numbers with a fraction or exponent are
// floats, other numbers integers of any size. Nesting is capped at
// flask.DefaultMaxDepth and the text must be valid UTF-8.
func plainJSON(data []byte) (map[string]any, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("input is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the session must be a JSON object")
	}
	out, err := plainValue(m, 1)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

func plainValue(v any, depth int) (any, error) {
	if depth > flask.DefaultMaxDepth {
		return nil, fmt.Errorf("nested more than %d levels", flask.DefaultMaxDepth)
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			y, err := plainValue(x, depth+1)
			if err != nil {
				return nil, err
			}
			v[k] = y
		}
		return v, nil
	case []any:
		for i, x := range v {
			y, err := plainValue(x, depth+1)
			if err != nil {
				return nil, err
			}
			v[i] = y
		}
		return v, nil
	case json.Number:
		s := string(v)
		if strings.ContainsAny(s, ".eE") {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("number %s is out of range for a float", s)
			}
			return f, nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("bad number %s", s)
		}
		return n, nil
	}
	return v, nil
}
