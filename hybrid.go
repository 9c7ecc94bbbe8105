package session

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Hybrid mode (Manager.Hybrid) keeps a session in the Flask cookie
// while it fits and in the Store beyond. The cookie says where the session
// is: a Flask data cookie, or a signed "sk~" ID (see idPrefix).

// commitHybrid saves s in the cookie when it fits and in the store when it
// does not. Destroy's record delete has already run.
func (b *storeBackend) commitHybrid(ctx context.Context, s *Session, now time.Time) (*http.Cookie, error) {
	m := b.m
	if s.id != "" && !s.modified && !s.force {
		// Read-only request of a session held in the store.
		return b.save(ctx, s, now)
	}
	stale := s.id == "" && len(s.raw) > len(idPrefix) && s.raw[:len(idPrefix)] == idPrefix
	if stale {
		// The incoming cookie is an ID whose record is gone: it is not a
		// Flask cookie the cookie backend could refresh.
		s.raw = ""
	}
	if s.owner != "" && m.Generations != nil {
		switch {
		case s.id != "" && !s.ownerChanged:
			// Leaving the store, perhaps: a cookie must carry the owner's
			// current generation, which records do not keep.
			g, err := m.Generations.Generation(ctx, s.owner)
			if err != nil {
				return nil, storeErr("load generation", err)
			}
			s.gen = g
		case s.id == "" && s.renewed:
			// Session.Renew bumps the generation of cookie sessions only
			// when the Manager has no Store; a session held in the cookie
			// gets the same revocation here.
			g, err := m.Generations.Bump(ctx, s.owner)
			if err != nil {
				return nil, storeErr("renew: bump generation", err)
			}
			s.gen, s.ownerChanged = g, false
		}
	}
	c, err := cookieBackend{m}.commit(ctx, s, now)
	var tooLarge *CookieTooLargeError
	switch {
	case errors.As(err, &tooLarge):
	case err != nil:
		return nil, err
	case c != nil && b.threshold > 0 && c.MaxAge >= 0 && len(c.Name)+len(c.Value) > b.threshold:
	default:
		// It fits in the cookie: leave the store.
		if s.id != "" {
			if err := b.store.Delete(ctx, s.id); err != nil {
				return nil, storeErr("move session to the cookie", err)
			}
			s.id = ""
		}
		return c, nil
	}
	// Too large for the cookie: keep it in the store.
	return b.save(ctx, s, now)
}
