package session

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// hybridBackend (Manager.Hybrid) keeps a session in the Flask cookie while
// it fits and in the Store beyond, composed of the two backends: the cookie
// says where the session is, a Flask data cookie or a signed ID.
type hybridBackend struct {
	cookie cookieBackend
	store  *storeBackend
}

func newHybrid(c *config, store Store) *hybridBackend {
	h := &hybridBackend{cookie: cookieBackend{c}, store: &storeBackend{c: c, store: store}}
	h.store.toCookie = h.fit
	return h
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

// save keeps a session held in the store there while it does not change
// (or does not fit a cookie), and a session held in the cookie (or a new
// one) there while it fits; it moves a session that crossed the line. The
// store backend moves a stored session into its cookie with a
// version-checked write, so that no concurrent change is lost.
func (h *hybridBackend) save(ctx context.Context, s *Session, now time.Time) (*http.Cookie, error) {
	if s.from.place == placeStore {
		return h.store.save(ctx, s, now)
	}
	ck, err := h.cookie.save(ctx, s, now)
	if errors.Is(err, ErrCookieTooLarge) || (err == nil && ck != nil && ck.MaxAge >= 0 && !h.fits(ck)) {
		// Too large for the cookie: move it to the store.
		return h.store.save(ctx, s, now)
	}
	return ck, err
}

// fit returns the data cookie holding s if it fits the hybrid threshold,
// or nil.
func (h *hybridBackend) fit(s *Session, now time.Time) (*http.Cookie, error) {
	value, err := h.cookie.encode(s, now)
	if errors.Is(err, ErrCookieTooLarge) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ck := h.cookie.c.newCookie(value, h.cookie.c.expires(s, now))
	if !h.fits(ck) {
		return nil, nil
	}
	return ck, nil
}

// fits reports whether ck is within the hybrid threshold.
func (h *hybridBackend) fits(ck *http.Cookie) bool {
	t := h.cookie.c.threshold
	return t == 0 || len(ck.Name)+len(ck.Value) <= t
}
