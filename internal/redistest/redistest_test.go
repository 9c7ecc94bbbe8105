package redistest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sessionkit/session/internal/redistest"
)

func TestPrefixIsCleanedUp(t *testing.T) {
	c := redistest.Client(t, nil)
	ctx := context.Background()
	var prefix string
	t.Run("writer", func(t *testing.T) {
		prefix = redistest.Prefix(t)
		if !strings.HasPrefix(prefix, "sessionkit-test:") || prefix == redistest.Prefix(t) {
			t.Fatalf("Prefix = %q; want a unique sessionkit-test: prefix", prefix)
		}
		for _, k := range []string{"a", "b", "c"} {
			if err := c.Set(ctx, prefix+k, "x", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 0 {
		t.Fatalf("keys left under %s: %v, %v", prefix, keys, err)
	}
}

func TestStartServer(t *testing.T) {
	c := redistest.StartServer(t, "--maxmemory", "1mb")
	got, err := c.ConfigGet(context.Background(), "maxmemory").Result()
	if err != nil || got["maxmemory"] != "1048576" {
		t.Fatalf("CONFIG GET maxmemory = %v, %v; want the argument given", got, err)
	}
}
