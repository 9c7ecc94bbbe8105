package redisstore_test

import (
	"github.com/redis/go-redis/v9"

	"github.com/sessionkit/session/redisstore"
)

func ExampleNew() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{"127.0.0.1:6379"},
		// Without it go-redis ignores context deadlines on the wire, and
		// a server that stops answering holds a request for the client's
		// ReadTimeout instead of the store's Timeout.
		ContextTimeoutEnabled: true,
	})
	store := redisstore.New(client)
	store.Prefix = "myapp:session:"
	// m.Store = store; m.Generations = store
}
