package testenv

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy is a TCP proxy between a client and a real server that a test can
// turn into a failing network: Cut plays a server that dies, BlackHole a
// network that drops packets, Slow a congested one. Heal ends the fault.
// Its goroutines all end by Close, which the test's cleanup calls.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex // guards delay, hole, cut, conns
	delay time.Duration
	hole  bool
	cut   bool
	conns map[net.Conn]struct{}

	wg   sync.WaitGroup // the proxy's goroutines
	once sync.Once      // closes done
	done chan struct{}  // closed by Close
}

// NewProxy starts a proxy on a loopback port to target. It is closed when
// the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, done: make(chan struct{})}
	p.wg.Go(p.accept)
	t.Cleanup(p.Close)
	return p
}

// Addr returns the address clients dial instead of the target's.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Slow holds every chunk of bytes for d before forwarding it, in both
// directions, on open and new connections. Zero ends it.
func (p *Proxy) Slow(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// BlackHole swallows every byte from now on, in both directions, without
// closing any connection: requests get no answer and no error.
func (p *Proxy) BlackHole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hole = true
}

// Cut closes every open connection, as a server that dies does, and closes
// each new one as soon as it is accepted, until Heal.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

// Heal ends every fault: new connections and bytes from now on are
// forwarded at once. Connections that Cut closed stay closed.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay, p.hole, p.cut = 0, false, false
}

// Close stops the proxy, closes every connection and waits for its
// goroutines. It may be called more than once.
func (p *Proxy) Close() {
	p.once.Do(func() {
		close(p.done)
		p.ln.Close()
		p.Cut()
		p.wg.Wait()
	})
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			p.untrack(c)
			continue
		}
		if !p.track(s) {
			p.untrack(c)
			continue
		}
		p.wg.Go(func() { p.pipe(s, c) })
		p.wg.Go(func() { p.pipe(c, s) })
	}
}

// track adds c to the open connections, or closes it and reports false if
// the proxy is cut.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
	c.Close()
}

// pipe copies src to dst through the faults of the moment.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.untrack(dst)
	defer p.untrack(src)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			delay, hole := p.delay, p.hole
			p.mu.Unlock()
			if delay > 0 {
				// The fault under test: a slow network.
				select {
				case <-time.After(delay):
				case <-p.done:
					return
				}
			}
			if !hole {
				if _, err := dst.Write(buf[:n]); err != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}
