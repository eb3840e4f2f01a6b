package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"connectrpc.com/connect"

	"pantheon/agent/gen/agentv1"
)

const (
	netChunk        = 32 << 10
	acceptClaimTime = 10 * time.Second
)

type netService struct {
	mu      sync.Mutex
	pending map[string]net.Conn
}

func newNetService() *netService { return &netService{pending: map[string]net.Conn{}} }

func validPort(p uint32) error {
	if p == 0 || p > 65535 {
		return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("bad port %d", p))
	}
	return nil
}

// pipeConn carries conn both ways over a bidi call until the connection's read side ends.
// recv returns the next data chunk, whether the host half-closed, and an error at the end.
func pipeConn(ctx context.Context, conn net.Conn, recv func() ([]byte, bool, error), send func([]byte) error) error {
	go func() {
		for {
			data, closeWrite, err := recv()
			if len(data) > 0 {
				if _, werr := conn.Write(data); werr != nil {
					return
				}
			}
			if closeWrite || err != nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
				return
			}
		}
	}()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	buf := make([]byte, netChunk)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if serr := send(buf[:n]); serr != nil {
				return serr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return connect.NewError(connect.CodeUnavailable, err)
		}
	}
}

func (s *netService) Forward(ctx context.Context, stream *connect.BidiStream[agentv1.ForwardRequest, agentv1.ForwardResponse]) error {
	first, err := stream.Receive()
	if err != nil {
		return err
	}
	if err := validPort(first.Port); err != nil {
		return err
	}
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(first.Port))))
	if err != nil {
		return connect.NewError(connect.CodeUnavailable, fmt.Errorf("nothing listening on port %d", first.Port))
	}
	defer conn.Close()
	if err := stream.Send(&agentv1.ForwardResponse{Connected: true}); err != nil {
		return err
	}
	pending := first
	recv := func() ([]byte, bool, error) {
		if pending != nil {
			m := pending
			pending = nil
			return m.Data, m.CloseWrite, nil
		}
		m, err := stream.Receive()
		if err != nil {
			return nil, false, err
		}
		return m.Data, m.CloseWrite, nil
	}
	return pipeConn(ctx, conn, recv, func(b []byte) error { return stream.Send(&agentv1.ForwardResponse{Data: b}) })
}

func (s *netService) Listen(ctx context.Context, req *connect.Request[agentv1.ListenRequest], stream *connect.ServerStream[agentv1.ListenEvent]) error {
	if err := validPort(req.Msg.Port); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(req.Msg.Port))))
	if err != nil {
		return connect.NewError(connect.CodeFailedPrecondition, err)
	}
	defer ln.Close()
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	if err := stream.Send(&agentv1.ListenEvent{Listening: true}); err != nil {
		return err
	}
	var mine []string
	defer func() {
		s.mu.Lock()
		for _, id := range mine {
			if c := s.pending[id]; c != nil {
				_ = c.Close()
				delete(s.pending, id)
			}
		}
		s.mu.Unlock()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return connect.NewError(connect.CodeInternal, err)
		}
		var b [12]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		s.mu.Lock()
		s.pending[id] = conn
		s.mu.Unlock()
		mine = append(mine, id)
		time.AfterFunc(acceptClaimTime, func() {
			s.mu.Lock()
			if c := s.pending[id]; c != nil {
				_ = c.Close()
				delete(s.pending, id)
			}
			s.mu.Unlock()
		})
		if err := stream.Send(&agentv1.ListenEvent{ConnectionId: id}); err != nil {
			return err
		}
	}
}

func (s *netService) Accepted(ctx context.Context, stream *connect.BidiStream[agentv1.AcceptedRequest, agentv1.AcceptedResponse]) error {
	first, err := stream.Receive()
	if err != nil {
		return err
	}
	s.mu.Lock()
	conn := s.pending[first.ConnectionId]
	delete(s.pending, first.ConnectionId)
	s.mu.Unlock()
	if conn == nil {
		return connect.NewError(connect.CodeNotFound, errors.New("no such accepted connection"))
	}
	defer conn.Close()
	pending := first
	recv := func() ([]byte, bool, error) {
		if pending != nil {
			m := pending
			pending = nil
			return m.Data, m.CloseWrite, nil
		}
		m, err := stream.Receive()
		if err != nil {
			return nil, false, err
		}
		return m.Data, m.CloseWrite, nil
	}
	return pipeConn(ctx, conn, recv, func(b []byte) error { return stream.Send(&agentv1.AcceptedResponse{Data: b}) })
}
