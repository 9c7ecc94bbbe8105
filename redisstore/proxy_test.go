package redisstore_test

import (
	"net"
	"sync"
	"testing"
	"time"
)

// proxy is a TCP proxy between the store and a real server, which a test
// can slow down, black-hole or cut, to play a network or server failure.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex // guards delay, hole, conns
	delay time.Duration
	hole  bool
	conns map[net.Conn]struct{}

	wg   sync.WaitGroup // the proxy's own goroutines, all ended by close
	done chan struct{}  // closed by close
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, done: make(chan struct{})}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// setDelay holds every chunk of bytes for d before forwarding it.
func (p *proxy) setDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// blackHole makes the proxy swallow every byte from now on, like a
// network that drops packets without closing the connection.
func (p *proxy) blackHole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hole = true
}

// cut closes every open connection, as a server that dies does, while the
// proxy keeps accepting (and closing) new ones.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hole = true
	for c := range p.conns {
		c.Close()
	}
}

func (p *proxy) close() {
	select {
	case <-p.done:
		return
	default:
	}
	close(p.done)
	p.ln.Close()
	p.cut()
	p.wg.Wait()
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.hole
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		if cut {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[s] = struct{}{}
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(s, c) })
		p.wg.Go(func() { p.pipe(c, s) })
	}
}

// pipe copies src to dst through the proxy's current faults.
func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
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
