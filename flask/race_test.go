//go:build race

package flask

// raceEnabled: the race detector makes sync.Pool drop items, so
// allocation checks do not hold.
const raceEnabled = true
