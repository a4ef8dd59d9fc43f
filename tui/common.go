package tui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// common is what every screen shares, by pointer (soft-serve's
// pkg/ui/common): the root sets the size, the screens read it.
type common struct {
	ctx    context.Context
	lab    Lab
	styles Styles
	keys   KeyMap
	help   help.Model
	width  int
	height int
	// cluster is the lab cluster as the root last heard of it.
	cluster clusterInfo
	// send delivers a message from outside a tea.Cmd (the start-up's
	// phases); nil drops it. Run sets it before the program starts.
	send func(tea.Msg)
}

func newCommon(ctx context.Context, lab Lab, styles Styles) *common {
	h := help.New()
	if !styles.Dark {
		h.Styles = help.DefaultLightStyles()
	}
	return &common{ctx: ctx, lab: lab, styles: styles, keys: DefaultKeyMap(), help: h, width: 80, height: 24}
}

// report is a command that delivers msg: how a screen tells the root.
func report(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// upCmd brings the cluster up, its phases reaching the start-up screen as
// they happen.
func (c *common) upCmd() tea.Cmd {
	send := c.send
	return func() tea.Msg {
		err := c.lab.Up(c.ctx, func(title string, elapsed time.Duration) {
			if send != nil {
				send(phaseMsg{title: title, elapsed: elapsed})
			}
		})
		return upDoneMsg{err: err}
	}
}

// openCmd opens a lesson and starts its step; the root shows it on
// sessionMsg. Before the cluster runs, the lesson's screen opens at once
// (pendingMsg) and its session once the cluster is up.
func (c *common) openCmd(l *lesson.Lesson, step int) tea.Cmd {
	if !c.cluster.ready() {
		return report(pendingMsg{lesson: l, step: step})
	}
	return func() tea.Msg {
		s, err := c.lab.Open(l)
		if err != nil {
			return sessionMsg{err: err}
		}
		if err := s.Start(c.ctx, step); errors.Is(err, engine.ErrUnavailable) {
			return sessionMsg{session: s, step: step, unavailable: err.Error()}
		} else if err != nil {
			s.Close()
			return sessionMsg{err: err}
		}
		return sessionMsg{session: s, step: step}
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}
