package tui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/lesson"
)

// ClassFeed follows a class live and calls update after every change until
// ctx ends; its error ends the grid with that sentence.
type ClassFeed func(ctx context.Context, update func(class.Room)) error

// classSort is how the grid orders learners.
type classSort int

const (
	sortRoster   classSort = iota
	sortStuck              // stuck first, then the longest idle
	sortProgress           // most steps done first
	sortActivity           // least recently active first
	sortCount
)

func (s classSort) String() string {
	return [...]string{"roster", "stuck first", "progress", "last activity"}[s]
}

type (
	roomMsg      struct{ room class.Room }
	feedEndedMsg struct{ err error }
	clockMsg     time.Time
)

// ClassModel is `kubelab class watch`: learners by lessons and steps, each
// learner's open step and its goals, and who looks stuck. It only reads.
type ClassModel struct {
	styles  Styles
	keys    ClassKeys
	help    help.Model
	lessons []*lesson.Lesson
	room    class.Room
	seen    bool // a first room arrived
	err     error
	now     time.Time
	sort    classSort
	cursor  int // index into the sorted rows
	detail  bool
	showAll bool
	width   int
	height  int
}

// NewClassModel is the grid for lessons (the curriculum the class follows).
func NewClassModel(lessons []*lesson.Lesson, styles Styles) ClassModel {
	return ClassModel{styles: styles, keys: DefaultClassKeys(), help: help.New(), lessons: lessons, now: time.Now(), width: 80, height: 24}
}

// Init starts the clock that ages "last seen" and the stuck marks.
func (m ClassModel) Init() tea.Cmd { return clock() }

func clock() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return clockMsg(t) })
}

// Update handles the room's changes and the instructor's keys.
func (m ClassModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case roomMsg:
		m.room, m.seen, m.now = msg.room, true, time.Now()
		m.cursor = min(m.cursor, max(0, len(m.room.Learners)-1))
	case feedEndedMsg:
		m.err = msg.err
		if msg.err == nil {
			return m, tea.Quit
		}
	case clockMsg:
		m.now = time.Time(msg)
		return m, clock()
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return m, nil
}

func (m ClassModel) onKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.showAll {
		m.showAll = false
		return m, nil
	}
	n := len(m.room.Learners)
	switch {
	case key.Matches(k, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(k, m.keys.Help):
		m.showAll = true
	case key.Matches(k, m.keys.Back):
		m.detail = false
	case key.Matches(k, m.keys.Open) && n > 0:
		m.detail = true
	case key.Matches(k, m.keys.Sort):
		m.sort = (m.sort + 1) % sortCount
	case key.Matches(k, m.keys.Up) && n > 0:
		m.cursor = (m.cursor + n - 1) % n
	case key.Matches(k, m.keys.Down) && n > 0:
		m.cursor = (m.cursor + 1) % n
	}
	return m, nil
}

// rows are the learners in the grid's order.
func (m ClassModel) rows() []class.Seat {
	rows := slices.Clone(m.room.Learners)
	seen := func(l class.Seat) time.Time {
		if l.Progress == nil {
			return time.Time{}
		}
		return l.Progress.Updated
	}
	switch m.sort {
	case sortStuck:
		slices.SortStableFunc(rows, func(a, b class.Seat) int {
			sa, sb := a.Progress.Stuck(m.now) != "", b.Progress.Stuck(m.now) != ""
			if sa != sb {
				if sa {
					return -1
				}
				return 1
			}
			return seen(a).Compare(seen(b))
		})
	case sortProgress:
		slices.SortStableFunc(rows, func(a, b class.Seat) int { return cmp.Compare(b.Progress.StepsDone(), a.Progress.StepsDone()) })
	case sortActivity:
		slices.SortStableFunc(rows, func(a, b class.Seat) int { return seen(a).Compare(seen(b)) })
	}
	return rows
}

// View draws the grid, a learner's goals, or the keys.
func (m ClassModel) View() tea.View {
	var body string
	switch {
	case m.showAll:
		h := m.help
		h.ShowAll = true
		body = lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center,
			m.styles.Dialog.Render(m.styles.Title.Render("Keys")+"\n\n"+h.View(m.keys)+"\n\n"+m.styles.Muted.Render("press any key to close")))
	case m.detail && len(m.room.Learners) > 0:
		body = m.styles.Page.Render(m.learnerView(m.rows()[m.cursor]))
	default:
		body = m.styles.Page.Render(m.gridView())
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "kubelab class " + m.room.Class
	return v
}

func (m ClassModel) gridView() string {
	s := m.styles
	var b strings.Builder
	title := "Class " + m.room.Class
	stuck := 0
	for _, l := range m.room.Learners {
		if l.Progress.Stuck(m.now) != "" {
			stuck++
		}
	}
	fmt.Fprintf(&b, "%s  %s\n\n", s.Title.Render(title), s.Muted.Render(fmt.Sprintf("%d learners · %d stuck · sorted by %s", len(m.room.Learners), stuck, m.sort)))
	switch {
	case m.err != nil:
		b.WriteString(s.Error.Render(m.err.Error()) + "\n")
		return b.String()
	case !m.seen:
		b.WriteString(s.Muted.Render("Reading the class…") + "\n")
		return b.String()
	}
	b.WriteString(s.Muted.Render(m.header()) + "\n")
	rows := m.rows()
	// A room taller than the screen scrolls with the cursor.
	visible := max(3, m.height-9)
	first := max(0, min(m.cursor-visible/2, len(rows)-visible))
	for i := first; i < min(len(rows), first+visible); i++ {
		l := rows[i]
		line := m.row(l)
		if i == m.cursor {
			line = s.Selected.Render("▸ " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	if len(rows) > visible {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  learners %d-%d of %d", first+1, min(len(rows), first+visible), len(rows))) + "\n")
	}
	b.WriteString("\n" + m.help.View(m.keys))
	return b.String()
}

const nameWidth = 12

func (m ClassModel) header() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-*s ", nameWidth, "LEARNER")
	for i := range m.lessons {
		fmt.Fprintf(&b, "%-3s", fmt.Sprintf("%02d", i+1))
	}
	fmt.Fprintf(&b, " %-26s %-5s %-5s %-5s %-5s %s", "STEP", "GOALS", "HINTS", "TRIES", "SEEN", "STATUS")
	return b.String()
}

// row is one learner: a cell per lesson (✓ finished, a digit for steps done,
// · none; the open lesson marked), then their open step.
func (m ClassModel) row(l class.Seat) string {
	s := m.styles
	p := l.Progress
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s ", nameWidth, truncate(l.Name, nameWidth))
	for _, ls := range m.lessons {
		cell := "·"
		if p != nil {
			lp := p.Lessons[ls.ID]
			switch {
			case lp.Finished:
				cell = "✓"
			case len(lp.Done) > 0:
				cell = fmt.Sprint(min(len(lp.Done), 9))
			}
			if p.Current != nil && p.Current.Lesson == ls.ID {
				cell += "◂"
			}
		}
		b.WriteString(padRight(cell, 3))
	}
	if p == nil {
		status := "not joined yet"
		if l.Problem != "" {
			status = l.Problem
		}
		fmt.Fprintf(&b, " %s", s.Muted.Render(status))
		return b.String()
	}
	step, goals, hints, tries := "-", "-", "-", "-"
	if c := p.Current; c != nil {
		step = fmt.Sprintf("%d/%d %s", c.Index+1, c.Count, c.Title)
		pass := 0
		for _, g := range c.Goals {
			if g.Passing {
				pass++
			}
		}
		goals = fmt.Sprintf("%d/%d", pass, len(c.Goals))
		hints, tries = fmt.Sprint(c.Hints), fmt.Sprint(c.Attempts)
	}
	fmt.Fprintf(&b, " %-26s %-5s %-5s %-5s %-5s ", truncate(step, 26), goals, hints, tries, ago(m.now, p.Updated))
	switch st := p.Stuck(m.now); {
	case st != "":
		b.WriteString(s.Fail.Render("stuck: " + st))
	case p.Current != nil && p.Current.Passed:
		b.WriteString(s.Pass.Render("step passed"))
	case m.now.Sub(p.Updated) > class.IdleAfter:
		b.WriteString(s.Warn.Render("idle"))
	case p.Current != nil && !p.Current.Available:
		b.WriteString(s.Muted.Render("step unavailable here"))
	default:
		b.WriteString(s.Muted.Render("working"))
	}
	return b.String()
}

// learnerView is one learner's open step, goal by goal, and their lessons.
func (m ClassModel) learnerView(l class.Seat) string {
	s := m.styles
	var b strings.Builder
	b.WriteString(s.Title.Render(l.Name) + "\n\n")
	p := l.Progress
	switch {
	case p == nil:
		b.WriteString(s.Muted.Render("Nothing published yet: the learner has not started kubelab on the class cluster.") + "\n")
	case p.Current == nil:
		b.WriteString(s.Muted.Render("No step open; last seen "+ago(m.now, p.Updated)+" ago.") + "\n")
	default:
		c := p.Current
		fmt.Fprintf(&b, "%s, step %d of %d: %s\n", c.Lesson, c.Index+1, c.Count, s.Subtitle.Render(c.Title))
		fmt.Fprintf(&b, "%s\n\n", s.Muted.Render(fmt.Sprintf("open for %s · %d hints · %d attempts · %d resets · solution shown: %v",
			ago(m.now, c.Started), c.Hints, c.Attempts, c.Resets, c.Solution)))
		for _, g := range c.Goals {
			mark, st := "✗", s.Fail
			if g.Passing {
				mark, st = "✓", s.Pass
			}
			fmt.Fprintf(&b, "  %s %s %s\n", st.Render(mark), g.Name, s.Muted.Render("for "+ago(m.now, g.Since)))
		}
		if st := p.Stuck(m.now); st != "" {
			b.WriteString("\n" + s.Fail.Render("Looks stuck: "+st) + "\n")
		}
	}
	b.WriteString("\n" + s.Muted.Render("esc: back to the room"))
	return b.String()
}

// ago is a short duration since t: 5s, 3m, 2h.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := max(now.Sub(t), 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	default:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
}

func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-lipgloss.Width(s)))
}

// RunClassWatch shows the class grid, fed by feed, until the instructor quits.
func RunClassWatch(ctx context.Context, lessons []*lesson.Lesson, feed ClassFeed, styles Styles, opts ...tea.ProgramOption) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := tea.NewProgram(NewClassModel(lessons, styles), append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)...)
	go func() {
		err := feed(ctx, func(r class.Room) { p.Send(roomMsg{r}) })
		if ctx.Err() == nil {
			p.Send(feedEndedMsg{err})
		}
	}()
	m, err := p.Run()
	if err != nil {
		return err
	}
	return m.(ClassModel).err
}
