package session

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// revoking adds per-owner revocation (Manager.Generations) to a backend
// holding sessions in cookies: a cookie records its owner's generation, is
// refused once the generation moves on, and Destroy moves it on. Sessions
// held in a Store are revoked by deleting their records and need none of
// this.
type revoking struct {
	backend
	c *config
}

func (r revoking) load(ctx context.Context, req *http.Request, s *Session, now time.Time) error {
	if err := r.backend.load(ctx, req, s, now); err != nil {
		return err
	}
	if s.from.place != placeCookie || s.from.owner == "" {
		return nil
	}
	cur, err := r.c.gens.Generation(ctx, s.from.owner)
	if err != nil {
		return storeErr("load generation", err)
	}
	if cur != s.from.gen {
		r.c.logger.LogAttrs(ctx, slog.LevelInfo, "session: cookie revoked (owner's generation moved on); starting an empty session")
		s.values, s.base, s.shared, s.from = nil, nil, false, origin{raw: s.from.raw}
	}
	return nil
}

// save bumps the generation of a destroyed session's owner, and gives a
// cookie written for a new owner or a renewed session the owner's current
// generation (so that a handler that called Manager.DestroyAll and then
// Renew keeps its own session).
func (r revoking) save(ctx context.Context, s *Session, now time.Time) (sessionCookie, error) {
	if s.intent.destroy && s.from.owner != "" {
		if _, err := r.c.gens.Bump(ctx, s.from.owner); err != nil {
			return sessionCookie{}, storeErr("destroy: bump generation", err)
		}
	}
	owner := s.ownerLocked()
	if owner != "" && s.changes.modified && (owner != s.from.owner || s.intent.renew) {
		g, err := r.c.gens.Generation(ctx, owner)
		if err != nil {
			return sessionCookie{}, storeErr("load generation", err)
		}
		s.from.gen = g
	}
	return r.backend.save(ctx, s, now)
}
