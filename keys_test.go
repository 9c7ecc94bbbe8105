package session_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	session "github.com/sessionkit/session"
)

func TestCheckKeyDenylist(t *testing.T) {
	keys := session.KnownKeys()
	if len(keys) < 60 {
		t.Fatalf("denylist has %d entries", len(keys))
	}
	has := func(k string) bool {
		for _, x := range keys {
			if x == k {
				return true
			}
		}
		return false
	}
	for _, k := range []string{"sua_chave_secreta_segura", "dev", "CHANGEME", "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf"} {
		if !has(k) {
			t.Errorf("denylist lacks %q", k)
		}
	}
	keys[0] = "mutated"
	if session.KnownKeys()[0] == "mutated" {
		t.Error("KnownKeys returns the list itself, not a copy")
	}
	for _, k := range session.KnownKeys() {
		for _, v := range []string{k, " " + k + "\n", `"` + k + `"`, "'" + k + "'", "b'" + k + "'", strings.ToUpper(k)} {
			err := session.CheckKey([]byte(v))
			var we *session.WeakKeyError
			if !errors.Is(err, session.ErrWeakKey) || !errors.As(err, &we) {
				t.Errorf("CheckKey(%q) = %v", v, err)
				continue
			}
			if len(k) >= 4 && strings.Contains(strings.TrimPrefix(err.Error(), session.ErrWeakKey.Error()), k) {
				t.Errorf("error shows the key: %v", err)
			}
		}
	}
}

func TestCheckKeyRules(t *testing.T) {
	tests := []struct {
		key  string
		rule string // "" for accepted
	}{
		{"", "K1"},
		{"   \t\n", "K1"},
		{"short-but-random-9xQ", "K2"},
		{strings.Repeat("a", 40), "K3"},
		{strings.Repeat("abc1", 10), "K3"},
		{strings.Repeat("Zq8vT3nW6yB1cR5mX0kP7sD2", 2), "K3"},
		{"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP", "K3"},
		{"0123456789012345678901234567890123456789"[:38] + "x9", "K3"},
		{"48291057362918475639201847561928374650", "K4"},
		{"django-insecure-" + "8f2k1m9x0q7w3e5r6t4y2u1i0o9p8a7s", "K6"},
		{"your-app-key-9f8e7d6c5b4a39281706f5e4d3", "K7"},
		{"minha_chave_9f8e7d6c5b4a39281706f5e4d3c2", "K7"},
		{"Q2hhbmdlTWVQbGVhc2VYWVo0NTY3ODkwMTIzNDU2Nzg5", ""},
		{hex.EncodeToString(make([]byte, 0)) + "5f352379324c22463451387a0aec5d2f", "K5"},
		{testKey, ""},
	}
	for _, tt := range tests {
		err := session.CheckKey([]byte(tt.key))
		var we *session.WeakKeyError
		switch {
		case tt.rule == "" && err != nil:
			t.Errorf("CheckKey(%q) = %v, want nil", tt.key, err)
		case tt.rule != "" && (!errors.As(err, &we) || we.Rule != tt.rule):
			t.Errorf("CheckKey(%q) = %v, want rule %s", tt.key, err, tt.rule)
		}
	}
}

// TestCheckKeyAcceptsRandomKeys: keys as `sessionkit secret` or
// secrets.token_hex/token_urlsafe make them always pass.
func TestCheckKeyAcceptsRandomKeys(t *testing.T) {
	for i := range 3000 {
		b := make([]byte, 32)
		rand.Read(b)
		for _, k := range []string{string(b), hex.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), base64.StdEncoding.EncodeToString(b)} {
			if err := session.CheckKey([]byte(k)); err != nil {
				t.Fatalf("random key %d refused: %v", i, err)
			}
		}
	}
}

func TestCheckKeys(t *testing.T) {
	good, other := []byte(testKey), []byte("Old-key-rotated-out-7Qm2Vx9Lp4Rk8Tz")
	if err := session.CheckKeys(good, other); err != nil {
		t.Error(err)
	}
	for _, tt := range []struct {
		fallbacks [][]byte
		rule      string
	}{
		{[][]byte{good}, "K8"},
		{[][]byte{other, {}}, "K1"},
		{[][]byte{[]byte("sua_chave_secreta_segura")}, "K5"},
	} {
		var we *session.WeakKeyError
		if err := session.CheckKeys(good, tt.fallbacks...); !errors.As(err, &we) || we.Rule != tt.rule {
			t.Errorf("CheckKeys(%d fallbacks) = %v, want %s", len(tt.fallbacks), err, tt.rule)
		}
	}
}

func TestKeyFingerprint(t *testing.T) {
	fp := session.KeyFingerprint([]byte(testKey))
	if len(fp) != 8 || strings.Contains(testKey, fp) || fp == session.KeyFingerprint([]byte("other")) {
		t.Errorf("fingerprint %q", fp)
	}
}
