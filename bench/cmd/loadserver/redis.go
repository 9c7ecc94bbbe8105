package main

import (
	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/session"
	"github.com/sessionkit/session/redisstore"
)

func init() {
	redisStore = func(addr string) (session.Store, error) {
		client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
		st, err := redisstore.New(client)
		if err != nil {
			return nil, err
		}
		st.Prefix = "sessionkit-load:"
		return st, nil
	}
}
