package bench

import (
	"context"
	"testing"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/pgstore"
)

func init() {
	skStores["postgres"] = skPostgres
}

// skPostgres is sessionkit's pgstore (pgx v5 pool) in a schema of its own,
// dropped afterwards.
func skPostgres(b *testing.B) (session.Store, func()) {
	pool, schema := newSchemaPool(b)
	if err := pgstore.Migrate(context.Background(), pool, schema); err != nil {
		b.Fatal(err)
	}
	st := pgstore.New(pool)
	st.Schema = schema
	return st, func() { dropSchema(pool, schema) }
}
