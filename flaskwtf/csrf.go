package flaskwtf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	session "github.com/sessionkit/session"
	"github.com/sessionkit/session/flask"
)

// Flask-WTF's defaults, which New puts in the fields of a CSRF.
const (
	// DefaultFieldName is WTF_CSRF_FIELD_NAME's default: the session key of
	// the raw token and the name of the form field carrying the signed one.
	DefaultFieldName = "csrf_token"
	// DefaultTimeLimit is WTF_CSRF_TIME_LIMIT's default.
	DefaultTimeLimit = 3600 * time.Second
)

// salt is the itsdangerous salt Flask-WTF signs its tokens with; it is
// not configurable in Flask-WTF.
const salt = "wtf-csrf-token"

// maxTokenLen bounds the work spent on a posted token: Flask-WTF's tokens
// are under 100 bytes.
const maxTokenLen = 1024

// Errors returned by Validate and Check, one for each reason Flask-WTF
// gives when it refuses a request. Each is returned as is (compare with ==
// or errors.Is).
var (
	ErrTokenMissing        = errors.New("flaskwtf: the CSRF token is missing")
	ErrSessionTokenMissing = errors.New("flaskwtf: the CSRF session token is missing")
	ErrTokenExpired        = errors.New("flaskwtf: the CSRF token has expired")
	ErrTokenInvalid        = errors.New("flaskwtf: the CSRF token is invalid")
	ErrTokenMismatch       = errors.New("flaskwtf: the CSRF tokens do not match")
	ErrRefererMissing      = errors.New("flaskwtf: the referrer header is missing")
	ErrRefererMismatch     = errors.New("flaskwtf: the referrer does not match the host")
)

// reasons holds Flask-WTF's wording of each error, which the default
// ErrorHandler sends.
var reasons = map[error]string{
	ErrTokenMissing:        "The CSRF token is missing.",
	ErrSessionTokenMissing: "The CSRF session token is missing.",
	ErrTokenExpired:        "The CSRF token has expired.",
	ErrTokenInvalid:        "The CSRF token is invalid.",
	ErrTokenMismatch:       "The CSRF tokens do not match.",
	ErrRefererMissing:      "The referrer header is missing.",
	ErrRefererMismatch:     "The referrer does not match the host.",
}

// CSRF issues and checks Flask-WTF's tokens. Make it with New, which sets
// every field to Flask-WTF's default; change fields before first use. It
// is safe for concurrent use.
type CSRF struct {
	// FieldName is WTF_CSRF_FIELD_NAME: the session key holding the raw
	// token and the form field carrying the signed one. Default
	// DefaultFieldName.
	FieldName string
	// TimeLimit is WTF_CSRF_TIME_LIMIT, the age beyond which a token is
	// refused, in whole seconds as Flask-WTF counts. Default
	// DefaultTimeLimit. Negative means no limit at all (None in Flask-WTF,
	// which then also accepts tokens signed in the future).
	TimeLimit time.Duration
	// Methods is WTF_CSRF_METHODS: the request methods Check and Handler
	// protect. Default POST, PUT, PATCH and DELETE.
	Methods []string
	// Headers is WTF_CSRF_HEADERS: the headers Check reads the token from
	// when the form has none. Default X-CSRFToken and X-CSRF-Token.
	Headers []string
	// SSLStrict is WTF_CSRF_SSL_STRICT: on secure requests, Check also
	// requires a Referer of the same origin as https://Host/. Default true.
	SSLStrict bool
	// Secure reports whether a request came over HTTPS (Flask's
	// request.is_secure). Default: r.TLS != nil; behind a proxy that
	// terminates TLS, report what the proxy says.
	Secure func(r *http.Request) bool
	// ErrorHandler answers a request Handler refuses; err is one of the
	// errors above. Default: 400 Bad Request with Flask-WTF's reason.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Now is the clock tokens are signed and checked with. Default
	// time.Now.
	Now func() time.Time

	key []byte // itsdangerous's derived key
}

// New returns a CSRF signing with secretKey: the bytes of
// WTF_CSRF_SECRET_KEY, or of SECRET_KEY when the Flask app does not set it
// (the UTF-8 bytes of a str key, as itsdangerous encodes it). An empty key
// is an error: itsdangerous accepts it, but then anyone can forge tokens.
func New(secretKey []byte) (*CSRF, error) {
	if len(secretKey) == 0 {
		return nil, errors.New("flaskwtf: empty secret key: pass the Flask app's WTF_CSRF_SECRET_KEY or SECRET_KEY")
	}
	// itsdangerous's "django-concat" key derivation, its default:
	// SHA-1(salt + "signer" + key). Flask's session cookie uses "hmac"
	// derivation instead, which is why flask.NewCustomSigner cannot be
	// reused here.
	h := sha1.New()
	h.Write([]byte(salt + "signer"))
	h.Write(secretKey)
	return &CSRF{
		FieldName: DefaultFieldName,
		TimeLimit: DefaultTimeLimit,
		Methods:   []string{"POST", "PUT", "PATCH", "DELETE"},
		Headers:   []string{"X-CSRFToken", "X-CSRF-Token"},
		SSLStrict: true,
		Secure:    func(r *http.Request) bool { return r.TLS != nil },
		Now:       time.Now,
		key:       h.Sum(nil),
	}, nil
}

func (c *CSRF) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// newRawToken returns a new raw token as Flask-WTF makes them: the
// lowercase hex SHA-1 of 64 random bytes.
func newRawToken() string {
	var b [64]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	sum := sha1.Sum(b[:])
	return hex.EncodeToString(sum[:])
}

// Token returns a signed token for a form, as Flask-WTF's generate_csrf:
// it stores a new raw token in s under FieldName unless s holds one, and
// signs the raw token with the current time. Put it in the form's
// FieldName field or in one of Headers. s is the request's session
// (session.FromContext), not nil. Flask-WTF signs a non-string value
// found under FieldName (and then fails to check it); Token replaces it
// with a new raw token instead.
func (c *CSRF) Token(s *session.Session) string {
	raw, ok := session.Get[string](s, c.FieldName)
	if !ok {
		raw = newRawToken()
		s.Set(c.FieldName, raw)
	}
	return c.sign(raw, c.now())
}

// sign is itsdangerous's URLSafeTimedSerializer.dumps of the string raw:
// base64url of its compact JSON, "." the timestamp, "." the HMAC-SHA1.
// itsdangerous would zlib-compress a payload that shrinks by 2 bytes or
// more; the JSON of a random 40-hex-digit token does not (none of 200,000
// did), and sign never compresses, which itsdangerous reads as well.
func (c *CSRF) sign(raw string, now time.Time) string {
	js := appendJSONString(make([]byte, 0, len(raw)+2), raw)
	b64 := base64.RawURLEncoding
	buf := make([]byte, 0, b64.EncodedLen(len(js))+1+11+1+27)
	buf = b64.AppendEncode(buf, js)
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, timestampBytes(now.Unix()))
	mac := hmac.New(sha1.New, c.key)
	mac.Write(buf)
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, mac.Sum(nil))
	return string(buf)
}

// appendJSONString quotes s as itsdangerous's json.dumps(ensure_ascii=
// False) does: short escapes for " \ \b \f \n \r \t, lowercase \u00XX for
// the other control characters, everything else (DEL and non-ASCII
// included) as is. Package flask's JSON is ensure_ascii=True, as Flask's
// session serializer, so it cannot be reused here.
func appendJSONString(dst []byte, s string) []byte {
	const digits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', digits[c>>4], digits[c&0xf])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// timestampBytes is itsdangerous's int_to_bytes: big-endian without
// leading zero bytes. Times before 1970 are written as 0.
func timestampBytes(t int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(max(t, 0)))
	i := 0
	for i < 8 && b[i] == 0 {
		i++
	}
	return b[i:]
}

// unsign is URLSafeTimedSerializer.loads with max_age = TimeLimit: it
// returns the raw token a signed token carries. Nothing is decoded before
// the signature verifies. Like package flask, it accepts only canonical
// unpadded base64url in the signature and timestamp, the only form
// itsdangerous writes.
func (c *CSRF) unsign(token string, now time.Time) (string, error) {
	if len(token) > maxTokenLen {
		return "", ErrTokenInvalid
	}
	p, err := flask.Parse(token)
	if err != nil {
		return "", ErrTokenInvalid
	}
	// Strict refuses non-zero trailing bits but, like every decoder of the
	// package, skips "\r" and "\n": the length check refuses those too.
	sig, err := base64.RawURLEncoding.Strict().DecodeString(p.Signature)
	if err != nil || len(sig) != sha1.Size || len(p.Signature) != base64.RawURLEncoding.EncodedLen(sha1.Size) {
		return "", ErrTokenInvalid
	}
	mac := hmac.New(sha1.New, c.key)
	mac.Write([]byte(token[:len(token)-len(p.Signature)-1]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return "", ErrTokenInvalid
	}
	if c.TimeLimit >= 0 {
		// itsdangerous: age > max_age or age < 0 is SignatureExpired.
		if flask.CheckAge(p.Timestamp, now, c.TimeLimit, 0) != nil {
			return "", ErrTokenExpired
		}
	}
	js, err := flask.PayloadJSON(p.Payload, maxTokenLen)
	if err != nil {
		return "", ErrTokenInvalid
	}
	var raw string
	if json.Unmarshal(js, &raw) != nil {
		// Flask-WTF compares the value with the session's string and fails
		// with a TypeError (HTTP 500) on anything but a string.
		return "", ErrTokenInvalid
	}
	return raw, nil
}

// Validate checks a signed token against the raw token in s, as Flask-WTF's
// validate_csrf, and returns nil or, in Flask-WTF's order,
// ErrTokenMissing, ErrSessionTokenMissing, ErrTokenExpired,
// ErrTokenInvalid or ErrTokenMismatch. A nil s holds no raw token.
func (c *CSRF) Validate(s *session.Session, token string) error {
	if token == "" {
		return ErrTokenMissing
	}
	stored, ok := session.Get[any](s, c.FieldName)
	if !ok {
		return ErrSessionTokenMissing
	}
	raw, err := c.unsign(token, c.now())
	if err != nil {
		return err
	}
	rs, ok := stored.(string)
	if !ok || !hmac.Equal([]byte(rs), []byte(raw)) {
		return ErrTokenMismatch
	}
	return nil
}

// Check is Flask-WTF's CSRFProtect for one request, whose session the
// session middleware put in its context. Requests whose method is not in
// Methods pass. Others must carry a token that Validate accepts, taken
// from the first of: the form field FieldName, a form field whose name
// ends with FieldName (a prefixed form; the first such name in sorted
// order, where Flask takes document order), the Headers in order. Then,
// when SSLStrict is set and the request is secure, the Referer must have
// the origin https://Host (Host without ":443", and a Referer that spells
// out port 443 is refused, as Flask-WTF does).
//
// Check reads the form with ParseMultipartForm (32 MB in memory), so the
// handler finds it in r.PostForm as usual. net/http reads form bodies of
// POST, PUT and PATCH only: a DELETE must send its token in a header.
func (c *CSRF) Check(r *http.Request) error {
	if !slices.Contains(c.Methods, strings.ToUpper(r.Method)) {
		return nil
	}
	s := session.FromContext(r.Context())
	if err := c.Validate(s, c.requestToken(r)); err != nil {
		return err
	}
	if c.SSLStrict && c.Secure != nil && c.Secure(r) {
		ref, _ := header(r, "Referer")
		if ref == "" {
			return ErrRefererMissing
		}
		host, _ := strings.CutSuffix(r.Host, ":443")
		if !sameOrigin(ref, "https://"+host+"/") {
			return ErrRefererMismatch
		}
	}
	return nil
}

// requestToken finds the signed token as CSRFProtect._get_csrf_token.
func (c *CSRF) requestToken(r *http.Request) string {
	// A body that fails to parse leaves PostForm partial or empty; the
	// token is then missing, as with werkzeug's lenient parser.
	_ = r.ParseMultipartForm(32 << 20)
	if v := r.PostForm.Get(c.FieldName); v != "" {
		return v
	}
	for _, k := range slices.Sorted(maps.Keys(r.PostForm)) {
		if strings.HasSuffix(k, c.FieldName) {
			if v := r.PostForm.Get(k); v != "" {
				return v
			}
		}
	}
	for _, name := range c.Headers {
		if v, _ := header(r, name); v != "" {
			return v
		}
	}
	return ""
}

// header returns a request header as a WSGI application sees it: repeated
// headers joined with ",", as werkzeug's and gunicorn's servers join them.
func header(r *http.Request, name string) (string, bool) {
	v, ok := r.Header[http.CanonicalHeaderKey(name)]
	if !ok || len(v) == 0 {
		return "", false
	}
	return strings.Join(v, ","), true
}

// sameOrigin is Flask-WTF's same_origin: scheme, hostname and port as
// Python's urlparse gives them (lowercased scheme and hostname, port as an
// integer or absent; default ports are not filled in). A URL Python cannot
// parse makes Flask-WTF fail with HTTP 500; here it is not the same origin.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	pa, ok1 := port(ua)
	pb, ok2 := port(ub)
	return ok1 && ok2 && pa == pb &&
		strings.EqualFold(ua.Scheme, ub.Scheme) &&
		strings.EqualFold(ua.Hostname(), ub.Hostname())
}

// port returns the URL's port as an integer, -1 when absent, and false
// for a port Python's urlparse refuses.
func port(u *url.URL) (int, bool) {
	p := u.Port()
	if p == "" {
		return -1, true
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 65535 {
		return 0, false
	}
	return n, true
}

// Handler is Flask-WTF's CSRFProtect as middleware: it runs Check and
// answers refused requests with ErrorHandler. It must run inside the
// session middleware (m.Handler(csrf.Handler(mux))); outside it, every
// request is answered 500, since no token could ever be checked.
func (c *CSRF) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if session.FromContext(r.Context()) == nil {
			http.Error(w, "flaskwtf: Handler runs outside the session middleware: wrap it with the session Manager's Handler", http.StatusInternalServerError)
			return
		}
		if err := c.Check(r); err != nil {
			if c.ErrorHandler != nil {
				c.ErrorHandler(w, r, err)
				return
			}
			http.Error(w, "Bad Request: "+Reason(err), http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Reason returns Flask-WTF's wording for one of this package's errors
// ("The CSRF token is missing.", ...), for responses shaped like Flask's;
// for any other error it returns err.Error().
func Reason(err error) string {
	if s, ok := reasons[err]; ok {
		return s
	}
	return err.Error()
}
