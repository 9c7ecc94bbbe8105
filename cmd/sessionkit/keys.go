package main

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/sessionkit/session/flask"
)

// maxKeyFile caps what is read from a -key-file (a key is a few dozen
// bytes; the cap stops -key-file /dev/zero from eating memory).
const maxKeyFile = 64 << 10

// keyEnvDefault is read when no key option is given, as the demo does.
const keyEnvDefault = "SECRET_KEY"

// keySource is one place a key comes from.
type keySource struct {
	kind  string // "file", "env" or "arg"
	value string // path, variable name or the key itself
}

// keyOptions are the flags that name the secret key and the fallback keys.
type keyOptions struct {
	key       []keySource // at most one is allowed; more is a usage error
	fallbacks []keySource // SECRET_KEY_FALLBACKS order: oldest first
	format    string
	salt      string
}

// sourceFlag appends a keySource of one kind to a list each time it is set.
type sourceFlag struct {
	kind string
	list *[]keySource
}

func (s sourceFlag) String() string { return "" }

func (s sourceFlag) Set(v string) error {
	*s.list = append(*s.list, keySource{s.kind, v})
	return nil
}

// addKeyFlags registers the key options on fs. withFallbacks adds the
// -fallback family and withSalt adds -salt.
func addKeyFlags(fs *flag.FlagSet, withFallbacks, withSalt bool) *keyOptions {
	k := &keyOptions{format: "text", salt: flask.DefaultSalt}
	fs.Var(sourceFlag{"file", &k.key}, "key-file", "read the secret key from `file` (one trailing newline is ignored)")
	fs.Var(sourceFlag{"env", &k.key}, "key-env", "read the secret key from environment variable `name` (default "+keyEnvDefault+")")
	fs.Var(sourceFlag{"arg", &k.key}, "key", "the secret `key` itself; works, but warns: argv is visible to other users and in shell history")
	fs.StringVar(&k.format, "key-format", "text", "how keys are written: `text` (UTF-8, as Flask's str keys), hex or base64 (raw bytes, as os.urandom keys)")
	if withFallbacks {
		fs.Var(sourceFlag{"arg", &k.fallbacks}, "fallback", "an old `key`, as in SECRET_KEY_FALLBACKS (repeatable, oldest first; warns like -key)")
		fs.Var(sourceFlag{"file", &k.fallbacks}, "fallback-file", "read an old key from `file` (repeatable)")
		fs.Var(sourceFlag{"env", &k.fallbacks}, "fallback-env", "read an old key from environment variable `name` (repeatable)")
	}
	if withSalt {
		fs.StringVar(&k.salt, "salt", flask.DefaultSalt, "the signer's `salt`, for apps that change SecureCookieSessionInterface.salt")
	}
	return k
}

// given reports whether any key option was used.
func (k *keyOptions) given() bool { return len(k.key) > 0 || len(k.fallbacks) > 0 }

// load returns the key and fallbacks the options name. It warns on e.stderr
// about keys given in argv. Errors never contain key material.
func (k *keyOptions) load(e *env, cmd string) (key []byte, fallbacks [][]byte, err error) {
	switch k.format {
	case "text", "hex", "base64":
	default:
		return nil, nil, usagef("-key-format must be text, hex or base64")
	}
	var src keySource
	switch len(k.key) {
	case 0:
		src = keySource{"env", keyEnvDefault}
		if e.getenv(keyEnvDefault) == "" {
			return nil, nil, usagef("no key: give -key-file, -key-env or -key, or set %s", keyEnvDefault)
		}
	case 1:
		src = k.key[0]
	default:
		return nil, nil, usagef("give one key option (-key-file, -key-env or -key), not %d; old keys go in -fallback options", len(k.key))
	}
	warned := false
	warn := func(s keySource) {
		if s.kind == "arg" && !warned {
			warned = true
			fmt.Fprintf(e.stderr, "sessionkit %s: warning: keys given on the command line are visible in the process list and shell history; prefer -key-file or -key-env\n", cmd)
		}
	}
	warn(src)
	if key, err = k.read(e, src, "key"); err != nil {
		return nil, nil, err
	}
	for i, s := range k.fallbacks {
		warn(s)
		fb, err := k.read(e, s, fmt.Sprintf("fallback key %d", i))
		if err != nil {
			return nil, nil, err
		}
		fallbacks = append(fallbacks, fb)
	}
	return key, fallbacks, nil
}

// read returns the key bytes from one source, decoded per k.format. what
// names the key in errors ("key", "fallback key 0").
func (k *keyOptions) read(e *env, s keySource, what string) ([]byte, error) {
	var text string
	switch s.kind {
	case "arg":
		text = s.value
	case "env":
		text = e.getenv(s.value)
		if text == "" {
			return nil, usagef("%s: environment variable %s is empty or not set", what, s.value)
		}
	case "file":
		f, err := os.Open(s.value)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, usagef("cannot read the %s file %s: %v", what, s.value, err)
		}
		defer f.Close()
		b, err := readAtMost(f, maxKeyFile)
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, usagef("%s: %s is larger than %d bytes: not a key file", what, s.value, maxKeyFile)
			}
			return nil, usagef("%s: reading %s failed", what, s.value)
		}
		text = string(b)
		text = strings.TrimSuffix(text, "\n")
		text = strings.TrimSuffix(text, "\r")
	}
	var key []byte
	switch k.format {
	case "text":
		key = []byte(text)
	case "hex":
		b, err := hex.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return nil, usagef("%s is not valid hex (-key-format hex)", what)
		}
		key = b
	case "base64":
		t := strings.TrimRight(strings.TrimSpace(text), "=")
		t = strings.NewReplacer("-", "+", "_", "/").Replace(t)
		b, err := base64.RawStdEncoding.DecodeString(t)
		if err != nil {
			return nil, usagef("%s is not valid base64 (-key-format base64)", what)
		}
		key = b
	}
	if len(key) == 0 {
		return nil, usagef("%s is empty", what)
	}
	return key, nil
}

// signer returns the flask.Signer for the options' salt.
func (k *keyOptions) signer(key []byte, fallbacks [][]byte) (*flask.Signer, error) {
	var (
		s   *flask.Signer
		err error
	)
	if k.salt == flask.DefaultSalt {
		s, err = flask.NewSigner(key, fallbacks...)
	} else {
		s, err = flask.NewCustomSigner(k.salt, sha1.New, key, fallbacks...)
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	return s, nil
}
