package session_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime/debug"
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
			if !errors.As(err, &we) || we.Rule != "K5" {
				t.Errorf("CheckKey(%q) = %v, want K5", v, err)
				continue
			}
			checkMessage(t, v, err)
		}
	}
}

// checkMessage fails when a weak key's error shows the key or does not say
// how to fix it in words.
func checkMessage(t *testing.T, key string, err error) {
	t.Helper()
	msg := err.Error()
	var we *session.WeakKeyError
	errors.As(err, &we)
	// Short keys ("key", "secret") are words of any message.
	rest := strings.ToLower(strings.TrimPrefix(msg, session.ErrWeakKey.Error()))
	if k := strings.TrimSpace(key); len(k) >= 8 && strings.Contains(rest, strings.ToLower(k)) {
		t.Errorf("error for %q shows the key: %v", key, err)
	}
	if we.Rule != "K8" && !strings.Contains(msg, "sessionkit secret") {
		t.Errorf("error does not say how to make a key: %v", err)
	}
	if strings.Contains(msg, we.Rule) {
		t.Errorf("error shows the rule code %s instead of words: %v", we.Rule, err)
	}
	if !strings.HasPrefix(msg, "session: weak secret key: ") || strings.Count(msg, "weak secret key") != 1 {
		t.Errorf("error does not read as one sentence: %v", err)
	}
}

// lesson is the lesson's example key, the key learners copy.
const lesson = "sua_chave_secreta_segura"

// weakKeys are keys CheckKey refuses, by the class of weakness, with the
// rule each breaks. Every key is at least 32 bytes unless the class is
// about length, so that the structure, not the length, is what fails.
var weakKeys = []struct {
	class, key, rule string
}{
	{"empty", "", "K1"},
	{"whitespace", "   \t\n", "K1"},
	{"short random", "short-but-random-9xQ", "K2"},
	{"short random hex", "9f2c1e7a4b8d3f60a5c7e9b1d2f4a6", "K2"},

	// Repeats, defeated before by one odd character.
	{"one character", strings.Repeat("a", 40), "K3"},
	{"one odd character", strings.Repeat("a", 20) + "X" + strings.Repeat("a", 20), "K3"},
	{"two odd characters", strings.Repeat("z", 15) + "Q" + strings.Repeat("z", 15) + "7" + strings.Repeat("z", 10), "K3"},
	{"short pattern", strings.Repeat("abc1", 10), "K3"},
	{"random part twice", strings.Repeat("Zq8vT3nW6yB1cR5mX0", 2), "K3"},
	{"random part three times and a tail", strings.Repeat("k9Qz4Lm2", 4) + "!x", "K3"},

	// Sequences, ascending, descending, with steps.
	{"alphabet", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP", "K3"},
	{"digits run", "0123456789012345678901234567890123456789"[:38] + "x9", "K3"},
	{"descending", "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONM", "K3"},
	{"step 2", "acegikmoqsuwyACEGIKMOQSUWY0246813579", "K3"},
	{"step 3 descending", "zwtqnkhebZWTQNKHEB9630", "K2"},
	{"steps and a run", "13579bdfhjlnprtvxz97531ZXVTRPNLJHF", "K3"},

	// Keyboard runs.
	{"qwerty rows", "qwertyuiopasdfghjklzxcvbnmqwertyuiop", "K3"},
	{"qwerty columns", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.", "K3"},
	{"qwerty shifted", "!QAZ@WSX#EDC$RFV%TGB^YHN&UJM*IK<(OL>", "K3"},
	{"azerty rows", "azertyuiopqsdfghjklmwxcvbnazertyuiop", "K3"},
	{"azerty zigzag", "azsxdcfvgbhnj,k;l:m!" + "!m:l;k,jnhbgvfcdxsza", "K3"},
	{"numpad", "78945612301478963258741236987456", "K3"},
	{"numpad with operators", "789+456-123*/789+456-123*/789+4561", "K3"},

	// Dictionary words, English and Portuguese, phrases and leetspeak.
	{"English phrase", "thequickbrownfoxjumpsoverthelazydog", "K3"},
	{"English words with separators", "correct-horse-battery-staple-horse", "K3"},
	{"Portuguese phrase", "minha-chave-super-secreta-2024-nao-conte", "K3"},
	{"Portuguese words", "MeuGatoComeBananaTodoDiaNaCasaDaMinhaMae", "K3"},
	{"leetspeak password", "p@ssw0rdp@ssw0rd!P4ssw0rd#p4ssword", "K3"},
	{"password and digits", "Password123!Password123!Password123!", "K3"},
	{"test key of words", "test-key-0123456789abcdef0123456789abcdef", "K3"},
	{"words and a sequence", "kat-secret-key-do-not-use-in-production-0001", "K3"},

	// Dates and years.
	{"dates", "1990-05-31/2001-12-25/31.05.1990-25.12.2001", "K3"},
	{"dates without separators", "31051990251220011990053120011225", "K3"},
	{"years", "19901991199219931994199520002024", "K3"},

	// Too little randomness for the alphabet.
	{"38 random digits", "48291057362918475639201847561928374650", "K4"},

	// Published keys and their variants.
	{"lesson key", lesson, "K5"},
	{"lesson key quoted", `b'` + lesson + `'`, "K5"},
	{"lesson key upper case", strings.ToUpper(lesson), "K5"},
	{"lesson key title case with dashes", "Sua-Chave-Secreta-Segura", "K5"},
	{"lesson key without separators", "suachavesecretasegura", "K5"},
	{"lesson key camel case", "SuaChaveSecretaSegura", "K5"},
	{"lesson key with spaces", "sua chave secreta segura", "K5"},
	{"lesson key with dots", "sua.chave.secreta.segura", "K5"},
	{"lesson key leetspeak", "5u4_ch4v3_53cr3t4_53gur4", "K5"},
	{"lesson key partly leetspeak", "sua_ch@ve_s3creta_segur@", "K5"},
	{"lesson key and a year", lesson + "2024", "K5"},
	{"lesson key and digits", lesson + "_123456", "K5"},
	{"lesson key and a symbol", lesson + "!", "K5"},
	{"lesson key doubled", lesson + lesson, "K5"},
	{"lesson key doubled with a separator", lesson + "_" + lesson, "K5"},
	{"lesson key reversed", "aruges_aterces_evahc_aus", "K5"},
	{"Flask docs key and a year", "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf2024", "K5"},
	{"Flask docs key upper case", strings.ToUpper("5f352379324c22463451387a0aec5d2f"), "K5"},
	{"Superset key and digits", "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET_2023", "K5"},
	{"mega-tutorial key and digits", "you-will-never-guess-1234567890", "K5"},

	{"Django development key", "django-insecure-" + "8f2k1m9x0q7w3e5r6t4y2u1i0o9p8a7s", "K6"},

	// Placeholder words in keys that are otherwise strong enough.
	{"placeholder your", "your-app-key-9f8e7d6c5b4a39281706f5e4d3", "K7"},
	{"placeholder chave", "minha_chave_9f8e7d6c5b4a39281706f5e4d3c2", "K7"},
}

func TestCheckKeyWeakClasses(t *testing.T) {
	for _, tt := range weakKeys {
		t.Run(tt.class, func(t *testing.T) {
			err := session.CheckKey([]byte(tt.key))
			var we *session.WeakKeyError
			if !errors.As(err, &we) || !errors.Is(err, session.ErrWeakKey) {
				t.Fatalf("CheckKey(%q) = %v (strength %.0f bits), want rule %s", tt.key, err, session.KeyStrength([]byte(tt.key)), tt.rule)
			}
			if we.Rule != tt.rule {
				t.Errorf("CheckKey(%q): rule %s (%v), want %s", tt.key, we.Rule, err, tt.rule)
			}
			checkMessage(t, tt.key, err)
		})
	}
}

// strongKeys pass although they are not from a random generator.
var strongKeys = []string{
	testKey,
	"Old-key-rotated-out-7Qm2Vx9Lp4Rk8Tz",
	"Q2hhbmdlTWVQbGVhc2VYWVo0NTY3ODkwMTIzNDU2Nzg5",
	"9f2c1e7a4b8d3f60a5c7e9b1d2f4a6c8e0b3d5f7a9c1e3b5d7f9a2c4e6b8d0f1",
	// A passphrase of uncommon words is long enough to pass.
	"quixotic-zephyr-mnemonic-obsidian-fjord-kumquat-sphinx-jovial",
	// A weak prefix does not weaken a random key.
	lesson + "-" + "3q9Vx2Lm8Rk4Tz7Wp1Ys6Nb0Hd5Jf2Cg9Qa4Ue7Io",
	// Random keys holding a short placeholder word by chance.
	"9yFFlFMFhQYylTO9ncREn7JyIjKm8CF2K/TUnp+TOdo=",
	"Qm3xZ8-your-Lp2Vn7Rk4Tz1Wy6Hd9Jf0Cg5Ba3Ue",
}

func TestCheckKeyStrongKeys(t *testing.T) {
	for _, k := range strongKeys {
		if err := session.CheckKey([]byte(k)); err != nil {
			t.Errorf("CheckKey(%q) = %v, want nil", k, err)
		}
	}
}

// randomFormats are the ways keys are generated: `sessionkit secret` and
// its -format base64url, Python's secrets.token_hex() and
// secrets.token_urlsafe(), `openssl rand -base64 32`, hex in capitals, and
// os.urandom(32) used as raw bytes.
var randomFormats = []struct {
	name string
	make func([]byte) string
}{
	{"hex 64 (sessionkit secret, secrets.token_hex)", hex.EncodeToString},
	{"base64url 43 (secret -format base64url, secrets.token_urlsafe)", base64.RawURLEncoding.EncodeToString},
	{"base64 44 padded (openssl rand -base64 32)", base64.StdEncoding.EncodeToString},
	{"HEX 64 upper case", func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }},
	{"raw 32 bytes (os.urandom)", func(b []byte) string { return string(b) }},
}

// TestCheckKeyNoFalsePositives: 100 000 random keys of every format pass,
// and the weakest of every tenth keeps a wide margin over MinKeyStrength
// (scoring each twice would double the test's time). -short
// tries 2 000 of each, and a -race build 10 000, since the race detector
// slows the estimate tenfold without adding anything to check.
func TestCheckKeyNoFalsePositives(t *testing.T) {
	n := 100_000
	switch {
	case testing.Short():
		n = 2_000
	case raceBuild():
		n = 10_000
	}
	for _, f := range randomFormats {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			weakest := math.Inf(1)
			b := make([]byte, 32)
			for i := range n {
				rand.Read(b)
				k := []byte(f.make(b))
				if err := session.CheckKey(k); err != nil {
					t.Fatalf("random key %d (%q) refused: %v", i, k, err)
				}
				if i%10 == 0 {
					weakest = min(weakest, session.KeyStrength(k))
				}
			}
			t.Logf("%d keys accepted; the weakest of %d scored %.1f bits", n, n/10, weakest)
			if weakest < session.MinKeyStrength+64 {
				t.Errorf("the weakest of %d random keys scores %.1f bits: too close to %d", n/10, weakest, session.MinKeyStrength)
			}
		})
	}
}

// raceBuild reports whether the test binary was built with -race.
func raceBuild() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

// TestCheckKeyPythonSecrets checks keys made by Python itself, as the
// lesson tells learners to make them.
func TestCheckKeyPythonSecrets(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("SESSIONKIT_REQUIRE_ALL") == "1" {
			t.Fatal("python3 not found (SESSIONKIT_REQUIRE_ALL=1)")
		}
		t.Skip("python3 not found")
	}
	const script = `
import os, secrets
for _ in range(2000):
    print("hex", secrets.token_hex())
    print("urlsafe", secrets.token_urlsafe())
    print("urandom", os.urandom(32).hex())
`
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = t.TempDir()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	count := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		kind, v, _ := strings.Cut(sc.Text(), " ")
		key := []byte(v)
		if kind == "urandom" {
			key, _ = hex.DecodeString(v)
		}
		if err := session.CheckKey(key); err != nil {
			t.Errorf("Python %s key %q refused: %v", kind, v, err)
		}
		count++
	}
	if count != 6000 {
		t.Errorf("read %d keys from Python, want 6000", count)
	}
}

func TestKeyStrength(t *testing.T) {
	for _, tt := range []struct {
		key        string
		atLeast    float64
		atMost     float64
		whyOrdered string
	}{
		{"", 0, 0, "empty"},
		{strings.Repeat("a", 64), 0, 20, "one repeated character"},
		{lesson, 0, 20, "the lesson's key is near the top of the list"},
		{"9f2c1e7a4b8d3f60a5c7e9b1d2f4a6c8e0b3d5f7a9c1e3b5d7f9a2c4e6b8d0f1", 240, 270, "64 random hex digits"},
		{"9f2c1e7a4b8d3f60a5c7e9b1d2f4a6c8", 120, 140, "32 random hex digits"},
	} {
		if got := session.KeyStrength([]byte(tt.key)); got < tt.atLeast || got > tt.atMost {
			t.Errorf("KeyStrength(%q) = %.1f, want %v..%v (%s)", tt.key, got, tt.atLeast, tt.atMost, tt.whyOrdered)
		}
	}
	// Long keys are scored in pieces: 4000 random bytes score about 8 bits
	// a byte, and long repetitions stay weak whatever their length, as does
	// one odd byte among thousands.
	long := make([]byte, 4000)
	rand.Read(long)
	if got := session.KeyStrength(long); got < 31000 {
		t.Errorf("4000 random bytes score %.0f bits", got)
	}
	for _, k := range []string{
		strings.Repeat("ab", 500),
		strings.Repeat("abc", 1500),
		strings.Repeat("sua_chave_", 410),
		strings.Repeat("a", 2000) + "X" + strings.Repeat("a", 2000),
	} {
		if err := session.CheckKey([]byte(k)); err == nil {
			t.Errorf("a %d-byte key of %q... passes (%.0f bits)", len(k), k[:12], session.KeyStrength([]byte(k)))
		}
	}
	if got := session.KeyStrength(bytes.Repeat(long[:40], 100)); got < 300 {
		t.Errorf("40 random bytes repeated score %.0f bits, less than the 40 bytes", got)
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
		says      string
	}{
		{[][]byte{good}, "K8", "fallback key 0 is the current key"},
		{[][]byte{other, {}}, "K1", "fallback key 1: it is empty"},
		{[][]byte{[]byte(lesson)}, "K5", "fallback key 0: it is a published example key"},
	} {
		var we *session.WeakKeyError
		err := session.CheckKeys(good, tt.fallbacks...)
		if !errors.As(err, &we) || we.Rule != tt.rule || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("CheckKeys(%d fallbacks) = %v, want %s saying %q", len(tt.fallbacks), err, tt.rule, tt.says)
		}
	}
}

func TestWeakKeyErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		key  string
		want string
	}{
		{"", "session: weak secret key: it is empty or only whitespace; make a random key with `sessionkit secret` (or Python's secrets.token_hex())"},
		{"curta", "session: weak secret key: it has 5 bytes, and a key needs at least 32 random bytes; make a random key with `sessionkit secret` (or Python's secrets.token_hex())"},
		{lesson, "session: weak secret key: it is a published example key (fingerprint 362a833b) that attackers try first; make a random key with `sessionkit secret` (or Python's secrets.token_hex())"},
	} {
		if err := session.CheckKey([]byte(tt.key)); err == nil || err.Error() != tt.want {
			t.Errorf("CheckKey(%q):\n got %v\nwant %s", tt.key, err, tt.want)
		}
	}
}

func TestKeyFingerprint(t *testing.T) {
	fp := session.KeyFingerprint([]byte(testKey))
	if len(fp) != 8 || strings.Contains(testKey, fp) || fp == session.KeyFingerprint([]byte("other")) {
		t.Errorf("fingerprint %q", fp)
	}
}

// FuzzKeyStrength: any key is scored without panicking, never above 8 bits
// a byte plus the per-part overhead, and CheckKey agrees with the score.
func FuzzKeyStrength(f *testing.F) {
	for _, tt := range weakKeys {
		f.Add([]byte(tt.key))
	}
	for _, k := range strongKeys {
		f.Add([]byte(k))
	}
	f.Fuzz(func(t *testing.T, key []byte) {
		bits := session.KeyStrength(key)
		if bits < 0 || math.IsNaN(bits) || bits > 8*float64(len(key))+3*float64(len(key)/256+1)+1e-9 {
			t.Fatalf("KeyStrength(%q) = %v", key, bits)
		}
		if err := session.CheckKey(key); err == nil && bits < session.MinKeyStrength {
			t.Fatalf("CheckKey accepts %q scored %.1f bits", key, bits)
		}
	})
}

func ExampleKeyStrength() {
	for _, key := range []string{"Sua-Chave-Secreta-Segura-2024", "9f2c1e7a4b8d3f60a5c7e9b1d2f4a6c8e0b3d5f7a9c1e3b5d7f9a2c4e6b8d0f1"} {
		fmt.Printf("%.0f bits\n", math.Floor(session.KeyStrength([]byte(key))/10)*10)
	}
	// Output:
	// 40 bits
	// 250 bits
}
