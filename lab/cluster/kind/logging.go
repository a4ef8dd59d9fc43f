package kind

import (
	"fmt"
	"strings"

	kindlog "sigs.k8s.io/kind/pkg/log"
)

// phaseLogger turns kind's progress messages into start-up phases.
type phaseLogger struct {
	phase func(name, title string)
}

func (l *phaseLogger) Warn(string)           {}
func (l *phaseLogger) Warnf(string, ...any)  {}
func (l *phaseLogger) Error(string)          {}
func (l *phaseLogger) Errorf(string, ...any) {}
func (l *phaseLogger) V(level kindlog.Level) kindlog.InfoLogger {
	if level > 0 {
		return kindlog.NoopInfoLogger{}
	}
	return l
}
func (l *phaseLogger) Info(message string) { l.status(message) }
func (l *phaseLogger) Infof(format string, args ...any) {
	l.status(fmt.Sprintf(format, args...))
}
func (l *phaseLogger) Enabled() bool { return true }

func (l *phaseLogger) status(m string) {
	m = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "•"))
	m = strings.TrimSpace(strings.TrimSuffix(m, "..."))
	// kind's messages end with emoji (one per node): keep the words.
	for {
		i := strings.LastIndex(m, " ")
		if i <= 0 || strings.ContainsAny(m[i+1:], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789)") {
			break
		}
		m = strings.TrimSpace(m[:i])
	}
	if m == "" || strings.HasPrefix(m, "✓") || strings.HasPrefix(m, "✗") {
		return
	}
	l.phase("kind", m)
}
