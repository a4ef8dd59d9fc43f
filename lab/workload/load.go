package workload

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// LoadReportEvery is how often a load pod says who answered its requests:
// `kubectl logs` of a load pod shows load balancing and a Service's name
// resolving (or not), on both backends.
const LoadReportEvery = 10 * time.Second

// Why a load pod's requests failed, as its report says.
const (
	// LoadNoName: the target's name does not resolve (no such Service).
	LoadNoName = "the name %s does not resolve"
	// LoadNoAnswer: the name resolves but nothing answers (no ready pod
	// behind the Service, or a port nobody listens on).
	LoadNoAnswer = "no answer from %s"
)

// LoadTargetHost is the host part of a load pod's target ("api" of "api:80").
func LoadTargetHost(target string) string {
	host, _, found := strings.Cut(target, ":")
	if !found {
		return target
	}
	return host
}

// LogAnswered is a load pod's report of the last LoadReportEvery: how many
// requests each pod answered (by pod name), and how many failed and why
// (LoadNoName or LoadNoAnswer, already formatted).
func LogAnswered(answered map[string]int, failed int, why string) string {
	line := fmt.Sprintf("last %s:", LoadReportEvery)
	if len(answered) > 0 {
		pods := make([]string, 0, len(answered))
		for p := range answered {
			pods = append(pods, p)
		}
		slices.Sort(pods)
		for i, p := range pods {
			pods[i] = fmt.Sprintf("%s %d", p, answered[p])
		}
		line += " answered by " + strings.Join(pods, ", ")
		if failed > 0 {
			line += ";"
		}
	}
	if failed > 0 {
		line += fmt.Sprintf(" %d failed: %s", failed, why)
	}
	return line
}
