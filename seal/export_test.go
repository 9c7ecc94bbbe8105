package seal

import "time"

// sealWithIV is Seal with the IV given: for known-answer tests only. No
// exported API accepts an IV (ENCRYPTED.md §8).
func (s *Sealer) sealWithIV(name string, plaintext []byte, iat time.Time, iv [ivLen]byte) (string, error) {
	if err := s.checkSize(name, len(plaintext)); err != nil {
		return "", err
	}
	t, err := issuedAt(iat)
	if err != nil {
		return "", err
	}
	return s.seal(name, plaintext, t, &iv), nil
}
