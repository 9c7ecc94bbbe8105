package seal

import "testing"

// countMACs counts the tags computed until the test ends. Tests using it
// must not run in parallel.
func countMACs(t testing.TB) *int {
	t.Helper()
	n := new(int)
	prev := testHookMAC
	testHookMAC = func() { *n++ }
	t.Cleanup(func() { testHookMAC = prev })
	return n
}
