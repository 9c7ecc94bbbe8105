package session_test

import (
	"errors"
	"testing"

	session "github.com/sessionkit/session"
)

func TestDestroyAll(t *testing.T) {
	f := newFixture(t)
	if err := f.m.DestroyAll(t.Context(), "u1"); err != nil {
		t.Errorf("without Store or Generations: %v", err)
	}
	if err := f.m.DestroyAll(t.Context(), ""); err == nil {
		t.Error("empty owner accepted")
	}
	f.m.Generations = failingGenerations{}
	err := f.m.DestroyAll(t.Context(), "u1")
	if !errors.Is(err, session.ErrStoreUnavailable) || !errors.Is(err, errDown) {
		t.Errorf("failing Generations: %v", err)
	}
}
