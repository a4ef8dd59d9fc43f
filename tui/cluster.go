package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/tui/components/confirm"
	"github.com/kubelab/kubelab/tui/components/wrap"
)

// clusterInfo is what the screens know of the lab cluster: the root keeps
// it in common from the start-up's phases, Up's end and the health probe.
type clusterInfo struct {
	state   cluster.State // "" until the first Up ends
	phase   string        // the latest start-up phase, while starting
	problem string        // the host's sentence, when not running
	err     error         // why the last Up failed
	since   time.Time     // when the current state began
	// lost: the cluster ran and was lost; the open lesson resyncs once it
	// is back.
	lost bool
}

// ready reports whether lessons can run now.
func (ci clusterInfo) ready() bool { return ci.state == cluster.Running }

// down reports whether the cluster should run but does not, so that the
// cluster key brings it back.
func (ci clusterInfo) down() bool {
	return ci.err != nil || ci.state == cluster.Stopped || ci.state == cluster.Unreachable
}

// healthMsg: one health probe's answer.
type healthMsg struct {
	gen     int // the probe generation it began in
	state   cluster.State
	problem string
}

// resyncedMsg: the open lesson carries on after the cluster came back.
type resyncedMsg struct{ err error }

// recreateMsg: the cluster cannot come back; ask to create it afresh.
type recreateMsg struct{}

// How often the screens probe the cluster: a lost cluster is noticed
// within healthEvery plus one probe's timeout; one that is not running is
// asked less often (on kind each answer runs docker), for a cluster that
// someone brought back with `kubelab up`.
const (
	healthEvery     = time.Second
	healthEveryDown = 5 * time.Second
)

func (c *common) healthCmd(gen int) tea.Cmd {
	return func() tea.Msg {
		st, problem := c.lab.Health(c.ctx)
		return healthMsg{gen: gen, state: st, problem: problem}
	}
}

// recoverCmd brings the cluster back (Up restarts it on its data), or
// asks to recreate one that cannot come back.
func (c *common) recoverCmd(recreate bool) tea.Cmd {
	send := c.send
	phase := func(title string, elapsed time.Duration) {
		if send != nil {
			send(phaseMsg{title: title, elapsed: elapsed})
		}
	}
	return func() tea.Msg {
		var err error
		if recreate {
			err = c.lab.Recreate(c.ctx, phase)
		} else {
			err = c.lab.Up(c.ctx, phase)
		}
		if errors.Is(err, cluster.ErrGone) {
			return recreateMsg{}
		}
		return upDoneMsg{err: err}
	}
}

// setCluster records a new state, with the time it began when it changed.
func (c *common) setCluster(state cluster.State, problem string) {
	if state != c.cluster.state {
		c.cluster.since = time.Now()
		if c.cluster.state == cluster.Running && state != cluster.Starting {
			c.cluster.lost = true
		}
	}
	c.cluster.state, c.cluster.problem = state, problem
	if state == cluster.Running {
		c.cluster.err, c.cluster.phase = nil, ""
	}
}

// onCluster handles the cluster's messages at the root: probes, the key
// that brings it back, and a resync of the open lesson once it is.
func (m Model) onCluster(msg tea.Msg) (Model, tea.Cmd, bool) {
	c := m.c
	switch msg := msg.(type) {
	case healthMsg:
		m.probing = false
		if m.recovering || msg.gen != m.probeGen {
			return m, nil, true // Up says how it goes, or the answer is from before it
		}
		// A running cluster that misses one probe is most likely a busy
		// machine: it is unreachable once it misses two in a row.
		if msg.state == cluster.Unreachable && c.cluster.state == cluster.Running && m.unanswered == 0 {
			m.unanswered++
			return m, nil, true
		}
		m.unanswered = 0
		c.setCluster(msg.state, msg.problem)
		if msg.state == cluster.Running && c.cluster.lost { // brought back from elsewhere (`kubelab up`)
			next, cmd := m.onUp()
			return next, cmd, true
		}
		return m, nil, true
	case recreateMsg:
		m.recovering = false
		c.setCluster(cluster.Stopped, cluster.ErrGone.Error())
		m.ask = confirm.YesNo(askRecreate, "The lab cluster's nodes were removed, so it cannot be started again. Create it afresh? Your progress is kept; what you built in the cluster is not.", c.keys.Confirm)
		return m, nil, true
	case confirm.ChosenMsg:
		if msg.ID != askRecreate {
			return m, nil, false
		}
		if msg.Option == confirm.Yes {
			return m.recover(true)
		}
		return m, nil, true
	case resyncedMsg:
		m.lesson.busy = ""
		if msg.err != nil {
			m.lesson.message, m.lesson.msgKind = "The lesson could not carry on: "+msg.err.Error()+"; press r to reset the step.", "error"
		} else {
			m.lesson.message, m.lesson.msgKind = "The lab cluster is back; the goals are live again.", "ok"
		}
		return m, nil, true
	case tea.KeyPressMsg:
		if m.ask.Open() {
			var cmd tea.Cmd
			m.ask, cmd = m.ask.Update(msg)
			return m, cmd, true
		}
		if key.Matches(msg, c.keys.Cluster) && c.cluster.down() && !m.recovering && (m.state == stateHome || m.state == stateLesson) && !m.lesson.dialog.Open() {
			return m.recover(false)
		}
	}
	return m, nil, false
}

func (m Model) recover(recreate bool) (Model, tea.Cmd, bool) {
	m.recovering = true
	m.probeGen++
	m.c.cluster.err = nil
	m.c.setCluster(cluster.Starting, "")
	return m, m.c.recoverCmd(recreate), true
}

// probe starts a health probe unless one is under way or the cluster is
// known not to run (it does not come back by itself until the key).
func (m Model) probe() (Model, tea.Cmd) {
	ci := m.c.cluster
	if m.probing || m.recovering || ci.state == "" || ci.err != nil || m.state == stateStartup {
		return m, nil
	}
	every := healthEvery
	if !ci.ready() {
		every = healthEveryDown
	}
	if time.Since(m.probedAt) < every-100*time.Millisecond { // ticks come every second
		return m, nil
	}
	m.probing, m.probedAt = true, time.Now()
	return m, m.c.healthCmd(m.probeGen)
}

// clusterSentence says in one sentence what happened to the cluster and
// which key brings it back; "" while it runs or starts.
func (c *common) clusterSentence() string {
	k := c.keys.Cluster.Help().Key
	ci := c.cluster
	switch {
	case ci.err != nil:
		return fmt.Sprintf("The lab cluster could not start: %v; press %s to try again.", ci.err, k)
	case ci.state == cluster.Stopped:
		return fmt.Sprintf("The lab cluster stopped (its process ended or its nodes were stopped); press %s to start it again on its data, your progress is kept.", k)
	case ci.state == cluster.Unreachable:
		return fmt.Sprintf("The lab cluster does not answer (its API server or Docker is down; `kubelab status` says more); press %s to bring it back.", k)
	}
	return ""
}

// clusterStatus is the status bar's word for the cluster: running,
// starting (with its phase), stopped or unreachable.
func (c *common) clusterStatus() string {
	ci := c.cluster
	switch {
	case ci.err != nil:
		return string(cluster.Stopped)
	case ci.state == "" || ci.state == cluster.Starting:
		if ci.phase != "" {
			return "starting: " + ci.phase
		}
		return string(cluster.Starting)
	}
	return string(ci.state)
}

// goalsWaiting is what the goals panel says instead of results while the
// cluster is not running.
func (c *common) goalsWaiting() string {
	ci := c.cluster
	switch {
	case ci.err != nil || ci.state == cluster.Stopped || ci.state == cluster.Unreachable:
		return "cluster unreachable: the goals are checked again once it is back"
	case ci.state == "" || ci.state == cluster.Starting:
		return "waiting for the cluster…"
	}
	return ""
}

// onKeyWaiting is the lesson screen's keys while its cluster is not
// running: the text scrolls and esc and q work; the rest wait for it.
func (m lessonModel) onKeyWaiting(k tea.KeyPressMsg) (lessonModel, tea.Cmd) {
	keys := m.c.keys.Lesson
	switch {
	case key.Matches(k, keys.Quit):
		return m, report(quitMsg{})
	case key.Matches(k, keys.Back):
		m.close()
		return m, report(lessonClosedMsg{})
	case m.session == nil && key.Matches(k, keys.Next, keys.Prev):
		// Reading ahead (or back) while the cluster comes up: the session
		// starts on the step shown.
		next := m.step + 1
		if key.Matches(k, keys.Prev) {
			next = m.step - 1
		}
		if next >= 0 && next < len(m.les.Steps) {
			m.step, m.message = next, ""
			m = m.resize().loadText()
		}
		return m, nil
	case key.Matches(k, keys.Shell, keys.Hint, keys.Solution, keys.Reset, keys.Next, keys.Prev):
		m.message, m.msgKind = "That waits for the lab cluster; the step's text is here to read meanwhile.", "hint"
		return m, nil
	}
	var cmd tea.Cmd
	m.text, cmd = m.text.Update(k)
	return m, cmd
}

// resyncCmd carries the open lesson on once the cluster is back.
func (m lessonModel) resyncCmd() tea.Cmd {
	c, s := m.c, m.session
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(c.ctx, 2*time.Minute)
		defer cancel()
		return resyncedMsg{err: c.lab.Resync(ctx, s)}
	}
}

// onUp goes on once the cluster runs: the quiz or the lesson list the
// start-up screen waited for, the lesson opened meanwhile, or the open
// lesson carried on after the cluster was lost.
func (m Model) onUp() (Model, tea.Cmd) {
	c := m.c
	lost := c.cluster.lost
	c.cluster.lost = false
	switch {
	case m.state == stateStartup && m.quizCfg != nil:
		m = m.startQuiz(*m.quizCfg)
		return m, m.quizCmd()
	case m.state == stateStartup:
		m.state, m.home = stateHome, newHome(c)
	case m.state == stateLesson && m.lesson.session == nil:
		return m, c.openCmd(m.lesson.les, m.lesson.step)
	case m.state == stateLesson && lost:
		m.lesson.busy = "The lab cluster is back; carrying the lesson on…"
		return m, m.lesson.resyncCmd()
	}
	return m, nil
}

// clusterView is the lesson list's line on the cluster: its state and
// phase, or why it could not start and which key tries again.
func (m homeModel) clusterView() string {
	c := m.c
	s, ci := c.styles, c.cluster
	k := c.keys.Cluster.Help().Key
	switch {
	case ci.err != nil:
		line := s.Error.Render("The lab cluster could not start.")
		if ci.phase != "" {
			line += s.Muted.Render(" (at: " + ci.phase + ")")
		}
		return line + "\n" + s.Text.Width(max(20, c.width-6)).Render(ci.err.Error()) + "\n" + s.Muted.Render("press "+k+" to try again · press q to quit") + "\n"
	case ci.state == cluster.Stopped || ci.state == cluster.Unreachable:
		return s.Error.Render(wrap.Words(c.clusterSentence(), c.width-6, "")) + "\n"
	}
	return s.Muted.Render(c.lab.Backend()+" cluster "+c.clusterStatus()) + "\n"
}
