// libp2p-mdns: a go-libp2p test peer for peerscout's mDNS adapter tests.
//
// It starts a libp2p host (TCP transport only) and go-libp2p's mDNS discovery
// (p2p/discovery/mdns, service "_p2p._udp", i.e. the default), then reports on stdout,
// one JSON object per line:
//
//	{"peer_id":"12D3KooW...","addrs":["/ip4/10.0.0.2/tcp/4001", ...]}   once, at start
//	{"found":"12D3KooW...","addrs":["/ip4/10.0.0.3/tcp/4001", ...]}     per HandlePeerFound call
//
// go-libp2p calls HandlePeerFound for every response it reads, so "found" lines repeat for the same
// peer (our own responses are dropped).
//
// Diagnostics go to stderr. On SIGTERM or SIGINT it closes the mDNS service (go-libp2p's
// zeroconf server sends its goodbye then) and the host, and exits 0.
//
// go-libp2p's mDNS multicasts on every interface of the host: run it only inside a test
// network namespace.
//
// Flags:
//
//	--listen MULTIADDR   listen address, repeatable or comma-separated (default /ip4/0.0.0.0/tcp/0)
//	--key-seed N         deterministic Ed25519 identity: the private key seed is
//	                     SHA-256("peerscout-libp2p-mdns:" + N) (N as given, e.g. "1")
//	--key-file PATH      identity from a file holding a libp2p-marshalled private key
//	                     (crypto.MarshalPrivateKey); created with a new random Ed25519 key if missing
//	--print-id           print the peer id (a bare line, not JSON) and exit, without networking
//
// Without --key-seed or --key-file the identity is random.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

var (
	outMu sync.Mutex
	enc   = newEncoder()
)

func newEncoder() *json.Encoder {
	e := json.NewEncoder(os.Stdout)
	e.SetEscapeHTML(false)
	return e
}

// emit writes one JSON line to stdout (os.Stdout is unbuffered: each line is one write).
func emit(v any) {
	outMu.Lock()
	defer outMu.Unlock()
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(os.Stderr, "libp2p-mdns: write stdout: %v\n", err)
	}
}

func addrStrings(addrs []ma.Multiaddr) []string {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, a.String())
	}
	return out
}

type notifee struct{ self peer.ID }

func (n *notifee) HandlePeerFound(pi peer.AddrInfo) {
	if pi.ID == n.self {
		return
	}
	emit(struct {
		Found string   `json:"found"`
		Addrs []string `json:"addrs"`
	}{pi.ID.String(), addrStrings(pi.Addrs)})
}

func loadKey(seed, file string) (crypto.PrivKey, error) {
	switch {
	case seed != "" && file != "":
		return nil, errors.New("--key-seed and --key-file are exclusive")
	case seed != "":
		s := sha256.Sum256([]byte("peerscout-libp2p-mdns:" + seed))
		return crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(s[:]))
	case file != "":
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			priv, _, gerr := crypto.GenerateEd25519Key(rand.Reader)
			if gerr != nil {
				return nil, gerr
			}
			raw, merr := crypto.MarshalPrivateKey(priv)
			if merr != nil {
				return nil, merr
			}
			if werr := os.WriteFile(file, raw, 0o600); werr != nil {
				return nil, werr
			}
			return priv, nil
		}
		if err != nil {
			return nil, err
		}
		return crypto.UnmarshalPrivateKey(data)
	default:
		priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
		return priv, err
	}
}

func main() {
	var listen listFlag
	flag.Var(&listen, "listen", "listen multiaddr, repeatable or comma-separated (default /ip4/0.0.0.0/tcp/0)")
	keySeed := flag.String("key-seed", "", "deterministic Ed25519 identity from this seed")
	keyFile := flag.String("key-file", "", "identity file (libp2p-marshalled private key; created if missing)")
	printID := flag.Bool("print-id", false, "print the peer id and exit")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "libp2p-mdns: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}

	priv, err := loadKey(*keySeed, *keyFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "libp2p-mdns: identity: %v\n", err)
		os.Exit(1)
	}
	id, err := peer.IDFromPrivateKey(priv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "libp2p-mdns: peer id: %v\n", err)
		os.Exit(1)
	}
	if *printID {
		fmt.Println(id.String())
		return
	}
	if len(listen) == 0 {
		listen = listFlag{"/ip4/0.0.0.0/tcp/0"}
	}

	h, err := libp2p.New(
		libp2p.Identity(priv),
		libp2p.ListenAddrStrings(listen...),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.DisableRelay(),
	)
	if err != nil {
		fmt.Fprintf(os.Stderr, "libp2p-mdns: host: %v\n", err)
		os.Exit(1)
	}
	run(h)
}

func run(h host.Host) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	emit(struct {
		PeerID string   `json:"peer_id"`
		Addrs  []string `json:"addrs"`
	}{h.ID().String(), addrStrings(h.Addrs())})

	svc := mdns.NewMdnsService(h, "", &notifee{self: h.ID()})
	if err := svc.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "libp2p-mdns: mdns start: %v\n", err)
		_ = h.Close()
		os.Exit(1)
	}

	sig := <-sigs
	fmt.Fprintf(os.Stderr, "libp2p-mdns: %v: closing mdns and host\n", sig)
	code := 0
	if err := svc.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "libp2p-mdns: mdns close: %v\n", err)
		code = 1
	}
	if err := h.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "libp2p-mdns: host close: %v\n", err)
		code = 1
	}
	os.Exit(code)
}
