package redisstore_test

import (
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/sessionkit/session/redisstore"
)

func ExampleNew() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{"127.0.0.1:6379"},
		// Without it go-redis ignores context deadlines on the wire, and
		// New refuses the client.
		ContextTimeoutEnabled: true,
	})
	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	store.Prefix = "myapp:session:"
	// m.Store = store; m.Generations = store
}
