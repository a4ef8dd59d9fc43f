package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"github.com/kubelab/kubelab/tui/components/confirm"
	"github.com/kubelab/kubelab/tui/components/goals"
)

// Styles is every style the TUI uses; screens never make their own.
type Styles struct {
	Title, Subtitle, Muted, Text  lipgloss.Style
	Pass, Fail, Warn, Key         lipgloss.Style
	Panel, PanelTitle, StatusBar  lipgloss.Style
	Selected, Unselected, Concept lipgloss.Style
	Error, Success, Dialog        lipgloss.Style
	Code                          lipgloss.Style // a line of a code block
	Page                          lipgloss.Style
	NoColor                       bool
	Dark                          bool
}

// DefaultStyles returns styles readable on a dark or light background, or
// plain ones when noColor is set (NO_COLOR).
func DefaultStyles(dark, noColor bool) Styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkc)) }
	accent, green, red, yellow, muted := c("#5A3FC0", "#B8A6FF"), c("#1A7F37", "#56D364"), c("#C62828", "#FF7B72"), c("#9A6700", "#E3B341"), c("#6E7781", "#8B949E")
	s := Styles{Dark: dark, NoColor: noColor}
	base := lipgloss.NewStyle()
	if noColor {
		s.Title = base.Bold(true)
		s.Subtitle, s.Muted, s.Text, s.Pass, s.Fail, s.Warn, s.Key, s.Concept = base, base, base, base, base.Bold(true), base, base.Bold(true), base.Bold(true)
		s.Selected, s.Unselected = base.Bold(true), base
		s.Error, s.Success = base.Bold(true), base.Bold(true)
		s.Code = base
	} else {
		s.Title = base.Bold(true).Foreground(accent)
		s.Subtitle = base.Foreground(accent)
		s.Muted = base.Foreground(muted)
		s.Text = base
		s.Pass = base.Foreground(green)
		s.Fail = base.Foreground(red)
		s.Warn = base.Foreground(yellow)
		s.Key = base.Bold(true).Foreground(accent)
		s.Concept = base.Bold(true).Foreground(yellow)
		s.Selected = base.Bold(true).Foreground(accent)
		s.Unselected = base
		s.Error = base.Bold(true).Foreground(red)
		s.Success = base.Bold(true).Foreground(green)
		s.Code = base.Foreground(accent)
	}
	s.Panel = base.Border(lipgloss.RoundedBorder()).Padding(0, 1)
	s.PanelTitle = s.Title
	s.StatusBar = s.Muted
	s.Dialog = base.Border(lipgloss.DoubleBorder()).Padding(0, 1)
	s.Page = base.Padding(1, 2)
	if !noColor {
		s.Panel = s.Panel.BorderForeground(muted)
		s.Dialog = s.Dialog.BorderForeground(accent)
	}
	return s
}

func (s Styles) goals() goals.Styles {
	return goals.Styles{Title: s.PanelTitle, Pass: s.Pass, Fail: s.Fail, Muted: s.Muted}
}

func (s Styles) confirm() confirm.Styles {
	return confirm.Styles{Dialog: s.Dialog, Key: s.Key}
}
