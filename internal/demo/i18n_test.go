package demo

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogKeysExist: every catalog key a template or the code names
// literally has an entry, so that no page fails at run time on a sentence
// that is not there.
func TestCatalogKeysExist(t *testing.T) {
	uses := regexp.MustCompile(`\bT "([a-z0-9.\-]+)"|\.T\("([a-z0-9.\-]+)"|\b(?:text|plainText)\([a-zA-Z.]+, "([a-z0-9.\-]+)"`)
	check := func(file, src string) {
		for _, m := range uses.FindAllStringSubmatch(src, -1) {
			key := m[1] + m[2] + m[3]
			if strings.HasSuffix(key, ".") {
				continue // a prefix: "rule." + the rule's name
			}
			if _, ok := catalog[key]; !ok {
				t.Errorf("%s names catalog key %q, which has no entry", file, key)
			}
		}
	}
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		check(path, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, string(b))
	}
}
