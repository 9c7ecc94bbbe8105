package session

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// hybridBackend (Manager.Hybrid) keeps a session in the Flask cookie while
// it fits and in the Store once it outgrew the cookie, composed of the two
// backends: the cookie says where the session is, a Flask data cookie or a
// signed ID.
//
// The move is one-way: a stored session stays in the store until it ends,
// even if it shrinks. Moving it back would replace the ID cookie under the
// requests in flight, which would then find no record and start anonymous
// sessions whose cookies replace the browser's; kept in the store, its
// concurrent saves are merged as in store mode.
type hybridBackend struct {
	cookie cookieBackend
	store  *storeBackend
}

func (h *hybridBackend) load(ctx context.Context, r *http.Request, s *Session, now time.Time) error {
	v, ok := h.cookie.c.find(ctx, r, now, kindData|kindID)
	switch {
	case !ok:
		return nil
	case v.kind == kindID:
		return h.store.open(ctx, s, v, now)
	}
	h.cookie.open(ctx, s, v, now)
	return nil
}

// save keeps a session held in the store there, and a session held in the
// cookie (or a new one) there while it fits; a session that outgrew its
// cookie moves to the store.
func (h *hybridBackend) save(ctx context.Context, s *Session, now time.Time) (sessionCookie, error) {
	if s.from.place == placeStore {
		return h.store.save(ctx, s, now)
	}
	ck, err := h.cookie.save(ctx, s, now)
	if errors.Is(err, ErrCookieTooLarge) || (err == nil && !ck.none() && !ck.erase && !h.fits(ck)) {
		return h.store.save(ctx, s, now)
	}
	return ck, err
}

// fits reports whether ck is within the hybrid threshold.
func (h *hybridBackend) fits(ck sessionCookie) bool {
	t := h.cookie.c.threshold
	return t == 0 || len(h.cookie.c.cookie.Name)+len(ck.value) <= t
}
