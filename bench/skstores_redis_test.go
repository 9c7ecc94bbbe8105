package bench

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/session"
	"github.com/sessionkit/session/redisstore"
)

func init() {
	skStores["redis"] = skRedis
}

// skRedis is sessionkit's redisstore (go-redis v9) under a key prefix of
// its own, removed afterwards.
func skRedis(b *testing.B) (session.Store, func()) {
	need(b, "Redis", redisAddr())
	client := redis.NewClient(&redis.Options{Addr: redisAddr(), ContextTimeoutEnabled: true})
	st := redisstore.New(client)
	st.Prefix = uniquePrefix("sk") + ":"
	return st, func() {
		ctx := context.Background()
		keys, _ := client.Keys(ctx, st.Prefix+"*").Result()
		if len(keys) > 0 {
			client.Del(ctx, keys...)
		}
		client.Close()
	}
}
