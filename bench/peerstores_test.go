package bench

import (
	"context"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/gomodule/redigo/redis"
	"github.com/jackc/pgx/v5/pgxpool"
)

// scsRedisStore is scs's redisstore (redigo pool) under a key prefix of its
// own, removed afterwards.
func scsRedisStore(b *testing.B) (scs.Store, func()) {
	need(b, "Redis", redisAddr())
	pool := &redis.Pool{MaxIdle: 4, Dial: func() (redis.Conn, error) { return redis.Dial("tcp", redisAddr()) }}
	prefix := uniquePrefix("scs") + ":"
	return redisstore.NewWithPrefix(pool, prefix), func() {
		c := pool.Get()
		keys, _ := redis.Strings(c.Do("KEYS", prefix+"*"))
		for _, k := range keys {
			c.Do("DEL", k)
		}
		c.Close()
		pool.Close()
	}
}

// scsPostgresStore is scs's pgxstore in a schema of its own (pgxstore's
// table name is fixed), dropped afterwards.
func scsPostgresStore(b *testing.B) (scs.Store, func()) {
	pool, schema := newSchemaPool(b)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `CREATE TABLE sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL);
		CREATE INDEX sessions_expiry_idx ON sessions (expiry)`)
	if err != nil {
		b.Fatal(err)
	}
	return pgxstore.NewWithCleanupInterval(pool, 0), func() { dropSchema(pool, schema) }
}

// newSchemaPool connects to PostgreSQL with a fresh schema first on the
// search path.
func newSchemaPool(b *testing.B) (*pgxpool.Pool, string) {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(postgresURL())
	if err != nil {
		b.Fatal(err)
	}
	need(b, "PostgreSQL", cfg.ConnConfig.Host+":5432")
	schema := "bench_" + time.Now().Format("150405") + "_" + randHex(4)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		b.Fatal(err)
	}
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	admin.Close()
	if err != nil {
		missing(b, "PostgreSQL: "+err.Error())
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	return pool, schema
}

func dropSchema(pool *pgxpool.Pool, schema string) {
	pool.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	pool.Close()
}
