package main

import (
	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/session"
	"github.com/sessionkit/session/redisstore"
)

func init() {
	redisStore = func(addr string) (session.Store, error) {
		client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
		st := redisstore.New(client)
		st.Prefix = "sessionkit-load:"
		return st, nil
	}
}
