package seal

import (
	"errors"
	"fmt"
)

// ErrInvalid is what every refusal of Open wraps. A client must learn
// nothing more than this: whatever the reason, the value is treated as
// absent. The reason, for logs and metrics, is in the InvalidError that
// wraps it.
var ErrInvalid = errors.New("seal: invalid sealed value")

// ErrTooLarge is wrapped by Seal's *SizeError.
var ErrTooLarge = errors.New("seal: too large")

// Reason names the check that refused a value. Reasons are for logs and
// metrics only: the response to a client must be the same for all of
// them (ENCRYPTED.md §6).
type Reason uint8

// The reasons, in the order Open checks them.
const (
	// ReasonLength: name and value longer than Limit, or a value shorter
	// than the smallest token. Nothing was decoded.
	ReasonLength Reason = iota + 1
	// ReasonEncoding: not canonical unpadded base64url.
	ReasonEncoding
	// ReasonVersion: the first byte is not Version (a Flask cookie, or
	// another format).
	ReasonVersion
	// ReasonKey: the key ID is that of no secret in the ring (a removed
	// key, another deployment's key, or a forgery). No MAC was computed.
	ReasonKey
	// ReasonTag: the MAC does not match: tampered, forged, or sealed for
	// another cookie name, purpose or application.
	ReasonTag
	// ReasonExpired: authentic, but issued more than MaxAge ago.
	ReasonExpired
	// ReasonFuture: authentic, but issued more than Skew ahead of now.
	ReasonFuture
)

var reasonNames = [...]string{
	ReasonLength:   "length",
	ReasonEncoding: "encoding",
	ReasonVersion:  "version",
	ReasonKey:      "key",
	ReasonTag:      "tag",
	ReasonExpired:  "expired",
	ReasonFuture:   "future",
}

// String returns the reason's short name ("length", "encoding",
// "version", "key", "tag", "expired", "future"), as the Python and
// Node references name them; fit for a metric label.
func (r Reason) String() string {
	if int(r) < len(reasonNames) && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// InvalidError is the error Open and Parse return: it wraps ErrInvalid
// and says which check failed. It holds neither the value nor a key.
// Returning it allocates nothing.
type InvalidError struct {
	Reason Reason
}

func (e InvalidError) Error() string {
	return "seal: invalid sealed value (" + e.Reason.String() + ")"
}

// Unwrap returns ErrInvalid.
func (e InvalidError) Unwrap() error { return ErrInvalid }

// SizeError is Seal's error for a value that would make name and value
// longer than Limit. It is returned before any cryptographic work, and
// wraps ErrTooLarge.
type SizeError struct {
	Size  int // len(name) + SealedLen(len(plaintext))
	Limit int // the Sealer's Limit
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("%v: name and sealed value would be %d bytes, more than %d; keep less in the cookie (or move the session to a server-side store)",
		ErrTooLarge, e.Size, e.Limit)
}

// Unwrap returns ErrTooLarge.
func (e *SizeError) Unwrap() error { return ErrTooLarge }
