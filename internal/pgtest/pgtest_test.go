package pgtest_test

import (
	"context"
	"testing"

	"github.com/sessionkit/session/internal/pgtest"
)

func TestSchemaIsDropped(t *testing.T) {
	pool := pgtest.Pool(t, nil)
	ctx := context.Background()
	exists := func(name string) bool {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	var name string
	t.Run("user", func(t *testing.T) {
		name = pgtest.Schema(t, pool)
		if !exists(name) {
			t.Fatalf("schema %s was not created", name)
		}
		if _, err := pool.Exec(ctx, `CREATE TABLE "`+name+`".t (x int)`); err != nil {
			t.Fatal(err)
		}
	})
	if exists(name) {
		t.Fatalf("schema %s is still there after the test", name)
	}
}
