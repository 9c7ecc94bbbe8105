// Package redisstore keeps sessions in Redis through go-redis v9.
//
// The store takes a redis.UniversalClient, so a single server, Sentinel
// (failover) and Cluster all work; it never dials one itself.
//
// # Timeouts
//
// Every operation runs under a context bounded by Store.Timeout and by the
// caller's deadline, and fails with session.ErrStoreUnavailable when either
// ends it. Build the client with ContextTimeoutEnabled set: only then does
// go-redis honour context deadlines on the wire.
//
//	client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
//
// Without it the store still works and still fails with ErrStoreUnavailable
// rather than hang, but a server that stops answering holds each network
// read for the client's ReadTimeout (go-redis's default is 5 seconds; -1
// waits for ever) instead of Store.Timeout, which then bounds only the wait
// for a pooled connection and between retries.
//
// # Layout
//
// Each session is a hash under Prefix+"s:"+id with the fields d (data), e
// (expiry, Unix milliseconds), v (version) and o (owner). Every write is one
// Lua script that checks expiry and version and sets the data and the key's
// PEXPIREAT together, so a value never exists without its expiry. Reads check
// e as well, so a record is dead at its expiry even if Redis keeps the key a
// little longer. Redis removes expired keys itself: the store needs no
// cleanup job and implements no session.Cleaner.
//
// Sessions with an owner are also listed in a set under Prefix+"o:"+owner,
// which expires with the owner's last session. The set may list sessions
// that have since ended or changed owner; DestroyAll checks each record's own
// owner field before deleting it. Revocation generations (session.Generations)
// are counters under Prefix+"g:"+owner, which never expire.
//
// Renew moves a record between two keys that a Cluster may keep on
// different nodes, so it runs in three steps, each atomic: it marks the old
// record as leaving (from then on it reads as absent), creates the new one,
// and deletes the old. If the new ID is taken, the mark is removed and
// nothing has changed.
//
// Configure the server with a noeviction or volatile-* maxmemory policy and
// persistence: an evicted session logs its user out.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/internal/storeop"
)

// Defaults for the Store fields.
const (
	DefaultPrefix  = "session:"
	DefaultTimeout = time.Second
)

// Store is a session.Store and a session.Generations in Redis. Set the
// fields before the store's first use.
type Store struct {
	// Prefix starts every key the store writes, so that several
	// applications (or tests) can share a database. Default
	// DefaultPrefix.
	Prefix string

	// Timeout bounds each operation, retries included, on top of the
	// caller's context deadline (see Timeouts in the package
	// documentation for a client without ContextTimeoutEnabled). Default
	// DefaultTimeout.
	// An operation ended by either fails with an error that wraps
	// session.ErrStoreUnavailable and context.DeadlineExceeded.
	Timeout time.Duration

	// Now tells the store the time, to check expiry on reads and writes.
	// Default time.Now. Every instance sharing a database needs a clock in
	// step with the others and with Redis, which removes keys at their
	// expiry by its own clock.
	Now func() time.Time

	client redis.UniversalClient
}

var (
	_ session.Store       = (*Store)(nil)
	_ session.Generations = (*Store)(nil)
)

// New returns a store over client, which should be built with
// ContextTimeoutEnabled (see Timeouts in the package documentation).
func New(client redis.UniversalClient) *Store {
	return &Store{client: client}
}

// fail words the package's errors.
const fail = storeop.Errors("redisstore")

func (s *Store) key(kind, name string) string {
	p := s.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return p + kind + name
}

func (s *Store) now() int64 {
	if s.Now != nil {
		return s.Now().UnixMilli()
	}
	return time.Now().UnixMilli()
}

func (s *Store) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return storeop.Bound(ctx, s.Timeout, DefaultTimeout)
}

// conflict turns a script's answer to a version conflict, -1 minus the
// stored version, into the error.
func conflict(op string, n, loaded int64) error {
	return fail.Conflict(op, -1-n, loaded)
}

// Lua scripts. ARGV values arrive as strings; "now" is the store's clock in
// Unix milliseconds. A record is live if it exists, its e is after now and it
// is not marked as leaving (field r, set by Renew).

// createScript: KEYS[1] session; ARGV data, expiry, owner, now, version.
// Returns 0 if a live or leaving record holds the key.
var createScript = redis.NewScript(`
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) > tonumber(ARGV[4]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'e', ARGV[2], 'v', ARGV[5], 'o', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
`)

// updateScript: KEYS[1] session; ARGV data, expiry, owner, now, version,
// version+1. Returns 1 on success, 0 if not live, and -1 minus the stored
// version on a version conflict.
var updateScript = redis.NewScript(`
local m = redis.call('HMGET', KEYS[1], 'e', 'v', 'r')
if not m[1] or tonumber(m[1]) <= tonumber(ARGV[4]) or m[3] then return 0 end
if m[2] ~= ARGV[5] then return -1 - tonumber(m[2]) end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'e', ARGV[2], 'v', ARGV[6], 'o', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
`)

// touchScript: KEYS[1] session; ARGV expiry, now. Returns the record's
// owner ("" for none), or nil if not live.
var touchScript = redis.NewScript(`
local m = redis.call('HMGET', KEYS[1], 'e', 'r', 'o')
if not m[1] or tonumber(m[1]) <= tonumber(ARGV[2]) or m[2] then return false end
redis.call('HSET', KEYS[1], 'e', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return m[3] or ''
`)

// leaveScript marks a record as leaving for Renew: KEYS[1] session; ARGV
// now, version, new id. Returns 1 on success, 0 if not live, and -1 minus
// the stored version on a version conflict.
var leaveScript = redis.NewScript(`
local m = redis.call('HMGET', KEYS[1], 'e', 'v', 'r')
if not m[1] or tonumber(m[1]) <= tonumber(ARGV[1]) or m[3] then return 0 end
if m[2] ~= ARGV[2] then return -1 - tonumber(m[2]) end
redis.call('HSET', KEYS[1], 'r', ARGV[3])
return 1
`)

// stayScript removes the leaving mark set for a new id: KEYS[1] session;
// ARGV new id.
var stayScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'r') == ARGV[1] then redis.call('HDEL', KEYS[1], 'r') end
return 1
`)

// goneScript deletes a record marked as leaving for a new id: KEYS[1]
// session; ARGV new id.
var goneScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'r') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`)

// indexScript adds an id to an owner's set and keeps the set alive at
// least until expiry: KEYS[1] owner set; ARGV id, milliseconds to expiry.
var indexScript = redis.NewScript(`
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 and ttl < tonumber(ARGV[2]) or ttl == -1 then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
`)

// destroyScript deletes a session if owner owns it: KEYS[1] session; ARGV
// owner, now. Returns 1 if it deleted a live record, 2 a dead one, 0 none.
var destroyScript = redis.NewScript(`
local m = redis.call('HMGET', KEYS[1], 'o', 'e', 'r')
if m[1] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if (tonumber(m[2]) or 0) > tonumber(ARGV[2]) and not m[3] then return 1 end
return 2
`)

// run runs a script expected to return an integer.
func (s *Store) run(ctx context.Context, sc *redis.Script, key string, args ...any) (int64, error) {
	return sc.Run(ctx, s.client, []string{key}, args...).Int64()
}

// write runs sc, a script writing the session id that expires at expiry
// and belongs to owner, expected to return an integer. For an owned
// session it first lists id in the owner's set, in the same round trip, so
// that the set always covers every session of the owner.
func (s *Store) write(ctx context.Context, owner, id string, expiry time.Time, sc *redis.Script, args ...any) (int64, error) {
	key := s.key("s:", id)
	if owner == "" {
		return s.run(ctx, sc, key, args...)
	}
	setKey := s.key("o:", owner)
	ttl := max(expiry.UnixMilli()-s.now(), 1)
	for attempt := 0; ; attempt++ {
		var index, cmd *redis.Cmd
		_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			index = indexScript.EvalSha(ctx, p, []string{setKey}, id, ttl)
			cmd = sc.EvalSha(ctx, p, []string{key}, args...)
			return nil
		})
		if err != nil && attempt == 0 && redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
			// The server has not seen the scripts (first use, restart,
			// SCRIPT FLUSH), so the write did not run: load them and try
			// once more (listing in the set twice is harmless).
			if err := errors.Join(indexScript.Load(ctx, s.client).Err(), sc.Load(ctx, s.client).Err()); err != nil {
				return 0, err
			}
			continue
		}
		if redis.HasErrorPrefix(index.Err(), "NOSCRIPT") && cmd.Err() == nil {
			// Only the listing failed; the write is done and must not
			// run again.
			if _, err := s.run(ctx, indexScript, setKey, id, ttl); err != nil {
				return 0, err
			}
		} else if err := index.Err(); err != nil {
			return 0, err
		}
		return cmd.Int64()
	}
}

// index lists id in owner's set until at least expiry.
func (s *Store) index(ctx context.Context, owner, id string, expiry time.Time) error {
	ttl := max(expiry.UnixMilli()-s.now(), 1)
	_, err := s.run(ctx, indexScript, s.key("o:", owner), id, ttl)
	return err
}

// Create implements session.Store.
func (s *Store) Create(ctx context.Context, id string, rec session.Record) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	created, err := s.create(ctx, id, rec, 1)
	switch {
	case err != nil:
		return fail.Unavailable(ctx, "create", err)
	case !created:
		return fail.Exists("create")
	}
	return nil
}

// create writes rec under id with this version unless a live record has id,
// and reports whether it did.
func (s *Store) create(ctx context.Context, id string, rec session.Record, version int64) (bool, error) {
	n, err := s.write(ctx, rec.Owner, id, rec.Expiry, createScript,
		rec.Data, rec.Expiry.UnixMilli(), rec.Owner, s.now(), version)
	return n == 1, err
}

// Load implements session.Store: one HMGET.
func (s *Store) Load(ctx context.Context, id string) (session.Record, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	vals, err := s.client.HMGet(ctx, s.key("s:", id), "d", "e", "v", "o", "r").Result()
	if err != nil {
		return session.Record{}, fail.Unavailable(ctx, "load", err)
	}
	if vals[1] == nil || vals[4] != nil {
		return session.Record{}, fail.NotFound("load")
	}
	d, _ := vals[0].(string)
	e, _ := vals[1].(string)
	v, _ := vals[2].(string)
	o, _ := vals[3].(string)
	expiry, err1 := strconv.ParseInt(e, 10, 64)
	version, err2 := strconv.ParseInt(v, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		// Someone else's key under our prefix, or a damaged record: the
		// store cannot say whether the session exists.
		return session.Record{}, fail.Unavailable(ctx, "load", fmt.Errorf("malformed record: %w", err))
	}
	if expiry <= s.now() {
		return session.Record{}, fail.NotFound("load")
	}
	return session.Record{Data: []byte(d), Expiry: time.UnixMilli(expiry), Version: version, Owner: o}, nil
}

// Update implements session.Store.
func (s *Store) Update(ctx context.Context, id string, rec session.Record) (int64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := s.write(ctx, rec.Owner, id, rec.Expiry, updateScript,
		rec.Data, rec.Expiry.UnixMilli(), rec.Owner, s.now(), rec.Version, rec.Version+1)
	switch {
	case err != nil:
		return 0, fail.Unavailable(ctx, "update", err)
	case n == 0:
		return 0, fail.NotFound("update")
	case n < 0:
		return 0, conflict("update", n, rec.Version)
	}
	return rec.Version + 1, nil
}

// Touch implements session.Store.
func (s *Store) Touch(ctx context.Context, id string, expiry time.Time) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	owner, err := touchScript.Run(ctx, s.client, []string{s.key("s:", id)}, expiry.UnixMilli(), s.now()).Text()
	if errors.Is(err, redis.Nil) {
		return fail.NotFound("touch")
	}
	if err != nil {
		return fail.Unavailable(ctx, "touch", err)
	}
	if owner != "" {
		// The owner's set must outlive the session it lists.
		if err := s.index(ctx, owner, id, expiry); err != nil {
			return fail.Unavailable(ctx, "touch", err)
		}
	}
	return nil
}

// Renew implements session.Store (see the package documentation for its
// three steps).
func (s *Store) Renew(ctx context.Context, oldID, newID string, rec session.Record) (int64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	oldKey := s.key("s:", oldID)
	n, err := s.run(ctx, leaveScript, oldKey, s.now(), rec.Version, newID)
	switch {
	case err != nil:
		return 0, fail.Unavailable(ctx, "renew", err)
	case n == 0:
		return 0, fail.NotFound("renew")
	case n < 0:
		return 0, conflict("renew", n, rec.Version)
	}
	v := rec.Version + 1
	if created, err := s.create(ctx, newID, rec, v); err != nil || !created {
		// Give the old record back. If Redis is unreachable this fails
		// too, and the old record stays marked: the session ends, which
		// is the safe side of an unknown state.
		if _, serr := s.run(ctx, stayScript, oldKey, newID); serr != nil {
			return 0, fail.Unavailable(ctx, "renew", errors.Join(err, serr))
		}
		if err != nil {
			return 0, fail.Unavailable(ctx, "renew", err)
		}
		return 0, fail.Exists("renew: new id")
	}
	// The old record already reads as absent; if this delete fails, Redis
	// removes it at its expiry.
	s.run(ctx, goneScript, oldKey, newID)
	return v, nil
}

// Delete implements session.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if err := s.client.Del(ctx, s.key("s:", id)).Err(); err != nil {
		return fail.Unavailable(ctx, "delete", err)
	}
	return nil
}

// DestroyAll implements session.Store. It deletes the sessions the owner's
// set lists whose owner field is still owner, and counts the live ones. The
// empty owner owns nothing.
func (s *Store) DestroyAll(ctx context.Context, owner string) (int, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if owner == "" {
		return 0, nil
	}
	setKey := s.key("o:", owner)
	ids, err := s.client.SMembers(ctx, setKey).Result()
	if err != nil {
		return 0, fail.Unavailable(ctx, "destroy all", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	// Load the script once so that the pipeline can use EVALSHA.
	if err := destroyScript.Load(ctx, s.client).Err(); err != nil {
		return 0, fail.Unavailable(ctx, "destroy all", err)
	}
	now := s.now()
	cmds, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range ids {
			destroyScript.EvalSha(ctx, p, []string{s.key("s:", id)}, owner, now)
		}
		// Only the members read above leave the set: a session created
		// meanwhile keeps its place.
		members := make([]any, len(ids))
		for i, id := range ids {
			members[i] = id
		}
		p.SRem(ctx, setKey, members...)
		return nil
	})
	if err != nil {
		return 0, fail.Unavailable(ctx, "destroy all", err)
	}
	n := 0
	for _, c := range cmds[:len(ids)] {
		if r, _ := c.(*redis.Cmd).Int64(); r == 1 {
			n++
		}
	}
	return n, nil
}

// Generation implements session.Generations.
func (s *Store) Generation(ctx context.Context, owner string) (uint64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := s.client.Get(ctx, s.key("g:", owner)).Uint64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fail.Unavailable(ctx, "generation", err)
	}
	return n, nil
}

// Bump implements session.Generations with INCR.
func (s *Store) Bump(ctx context.Context, owner string) (uint64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := s.client.Incr(ctx, s.key("g:", owner)).Uint64()
	if err != nil {
		return 0, fail.Unavailable(ctx, "bump", err)
	}
	return n, nil
}
