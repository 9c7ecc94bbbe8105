package desafio

import (
	"errors"
	"iter"
	"strconv"
	"strings"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
)

// lessonPhrases are the words of the lesson's example key and of its
// shorter cousins in Portuguese tutorials.
var lessonPhrases = [][]string{
	{"sua", "chave", "secreta", "segura"},
	{"sua", "chave", "secreta"},
	{"minha", "chave", "secreta"},
	{"chave", "secreta"},
	{"super", "chave", "secreta"},
}

// LessonKeyVariants yields the variants of the lesson's example key
// (sua_chave_secreta_segura) that learners make of it: lower, upper, title
// and camel case; _, -, space, dot or nothing between the words; all in
// leetspeak; and each with nothing, a number from 0 to 99, 123, 1234,
// 123456 or a year from 1990 to 2030 added, directly or after the
// separator. The same for the shorter keys of Portuguese tutorials (sua,
// minha, super chave secreta). About 26 000 keys, none repeated.
func LessonKeyVariants() iter.Seq[string] {
	return func(yield func(string) bool) {
		seen := map[string]bool{}
		var suffixes []string
		for n := range 100 {
			suffixes = append(suffixes, strconv.Itoa(n))
		}
		suffixes = append(suffixes, "123", "1234", "123456", "!")
		for y := 1990; y <= 2030; y++ {
			suffixes = append(suffixes, strconv.Itoa(y))
		}
		leet := strings.NewReplacer("a", "4", "e", "3", "s", "5", "o", "0", "i", "1", "t", "7")
		for _, words := range lessonPhrases {
			for _, sep := range []string{"_", "-", " ", ".", ""} {
				base := strings.Join(words, sep)
				title := make([]string, len(words))
				for i, w := range words {
					title[i] = strings.ToUpper(w[:1]) + w[1:]
				}
				for _, form := range []string{base, strings.ToUpper(base), strings.Join(title, sep), leet.Replace(base)} {
					for _, k := range append([]string{form}, withSuffixes(form, sep, suffixes)...) {
						if !seen[k] {
							seen[k] = true
							if !yield(k) {
								return
							}
						}
					}
				}
			}
		}
	}
}

func withSuffixes(form, sep string, suffixes []string) []string {
	out := make([]string, 0, 2*len(suffixes))
	for _, s := range suffixes {
		out = append(out, form+s)
		if sep != "" {
			out = append(out, form+sep+s)
		}
	}
	return out
}

// keyMatch says which known key signed a cookie.
type keyMatch struct {
	key    []byte
	lesson bool // a variant of the lesson's key
	line   int  // the word list line, for a key from one
}

// WordlistKey is one entry of a word list of keys.
type WordlistKey struct {
	Line int // line number in the file, for the report
	Key  string
}

// findKey looks for the key of cookie among the library's published keys,
// the lesson's key variants and extra (a word list, in order), verifying
// the signature as Flask does (flask.Signer.Unsign). It returns the match,
// or nil, and how many keys it tried.
func findKey(cookie string, extra []WordlistKey) (*keyMatch, int, error) {
	if _, err := flask.Parse(cookie); err != nil {
		return nil, 0, err
	}
	tried := 0
	signed := func(key string) (bool, error) {
		tried++
		s, err := flask.NewSigner([]byte(key))
		if err != nil {
			return false, nil // an empty key cannot be tried
		}
		_, _, _, err = s.Unsign(cookie)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, flask.ErrSignature):
			return false, nil
		}
		return false, err
	}
	for _, k := range session.KnownKeys() {
		if ok, err := signed(k); ok || err != nil {
			return &keyMatch{key: []byte(k), lesson: strings.Contains(strings.ToLower(k), "chave")}, tried, err
		}
	}
	for k := range LessonKeyVariants() {
		if ok, err := signed(k); ok || err != nil {
			return &keyMatch{key: []byte(k), lesson: true}, tried, err
		}
	}
	for _, w := range extra {
		if ok, err := signed(w.Key); ok || err != nil {
			return &keyMatch{key: []byte(w.Key), line: w.Line}, tried, err
		}
	}
	return nil, tried, nil
}
