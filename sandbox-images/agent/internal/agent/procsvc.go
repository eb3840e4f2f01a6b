package agent

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"golang.org/x/sys/unix"

	"pantheon/agent/gen/agentv1"
)

type processService struct{ a *Agent }

func (s *processService) Start(ctx context.Context, req *connect.Request[agentv1.StartRequest], stream *connect.ServerStream[agentv1.ProcessEvent]) error {
	p, err := s.a.procs.start(req.Msg)
	if err != nil {
		return err
	}
	return followErr(p.follow(ctx, 0, stream.Send))
}

func (s *processService) Connect(ctx context.Context, req *connect.Request[agentv1.ConnectRequest], stream *connect.ServerStream[agentv1.ProcessEvent]) error {
	p, err := s.a.procs.get(req.Msg.Id)
	if err != nil {
		return err
	}
	return followErr(p.follow(ctx, req.Msg.AfterSeq, stream.Send))
}

func followErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return connect.NewError(connect.CodeCanceled, err)
	}
	return err
}

func (s *processService) SendInput(_ context.Context, req *connect.Request[agentv1.SendInputRequest]) (*connect.Response[agentv1.SendInputResponse], error) {
	p, err := s.a.procs.get(req.Msg.Id)
	if err != nil {
		return nil, err
	}
	p.stdinMu.Lock()
	defer p.stdinMu.Unlock()
	w := p.stdin
	if p.pty != nil {
		w = p.pty
	}
	if w == nil || !p.running() {
		return nil, connect.NewError(connect.CodeFailedPrecondition, errors.New("stdin is closed"))
	}
	if _, err := w.Write(req.Msg.Data); err != nil {
		return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("stdin: %w", err))
	}
	return connect.NewResponse(&agentv1.SendInputResponse{}), nil
}

func (s *processService) CloseInput(_ context.Context, req *connect.Request[agentv1.CloseInputRequest]) (*connect.Response[agentv1.CloseInputResponse], error) {
	p, err := s.a.procs.get(req.Msg.Id)
	if err != nil {
		return nil, err
	}
	p.stdinMu.Lock()
	if p.running() {
		p.closeInputLocked()
	}
	p.stdinMu.Unlock()
	return connect.NewResponse(&agentv1.CloseInputResponse{}), nil
}

func (s *processService) Signal(_ context.Context, req *connect.Request[agentv1.SignalRequest]) (*connect.Response[agentv1.SignalResponse], error) {
	p, err := s.a.procs.get(req.Msg.Id)
	if err != nil {
		return nil, err
	}
	sig := unix.Signal(req.Msg.Signal)
	if sig <= 0 || sig > 64 {
		return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("bad signal %d", req.Msg.Signal))
	}
	if req.Msg.Tree {
		killTree(p, sig)
	} else if p.running() {
		if err := signalGroup(p, sig); err != nil {
			return nil, connect.NewError(connect.CodeInternal, err)
		}
	}
	return connect.NewResponse(&agentv1.SignalResponse{}), nil
}

func (s *processService) Resize(_ context.Context, req *connect.Request[agentv1.ResizeRequest]) (*connect.Response[agentv1.ResizeResponse], error) {
	p, err := s.a.procs.get(req.Msg.Id)
	if err != nil {
		return nil, err
	}
	if p.pty == nil {
		return nil, connect.NewError(connect.CodeFailedPrecondition, errors.New("not a terminal"))
	}
	if p.running() {
		if err := setWinsize(p.pty, req.Msg.Size); err != nil {
			return nil, connect.NewError(connect.CodeInternal, err)
		}
	}
	return connect.NewResponse(&agentv1.ResizeResponse{}), nil
}

func (s *processService) List(context.Context, *connect.Request[agentv1.ListRequest]) (*connect.Response[agentv1.ListResponse], error) {
	t := s.a.procs
	t.mu.Lock()
	var out []*agentv1.ProcessInfo
	for _, id := range t.order {
		if p := t.procs[id]; p != nil {
			out = append(out, &agentv1.ProcessInfo{Id: id, Pid: uint32(p.pid), Running: p.running()})
		}
	}
	t.mu.Unlock()
	return connect.NewResponse(&agentv1.ListResponse{Processes: out}), nil
}
