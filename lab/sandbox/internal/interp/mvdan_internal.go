// Copyright (c) 2026, Daniel Martí <mvdan@mvdan.cc>
// See LICENSE for licensing information

// Copied from mvdan.cc/sh/v3/internal (pattern.go and sparse.go, v3.14.1),
// which this fork cannot import: Go forbids importing another module's
// internal packages.

package interp

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/pattern"
)

// ExtendedPatternMatcher returns a [regexp.Regexp.MatchString]-like function
// to support !(pattern-list) extended patterns where possible.
// It can be used instead of [pattern.Regexp] for narrow use cases.
func ExtendedPatternMatcher(pat string, mode pattern.Mode) (func(string) bool, error) {
	if mode&pattern.ExtendedOperators != 0 && mode&pattern.EntireString == 0 {
		// In the future we could try to support !(pattern) without matching
		// the entire input, ensuring we add enough test cases.
		panic("ExtendedOperators is only supported with EntireString")
	}

	// Extended pattern matching operators are always on outside of pathname expansion.
	expr, err := pattern.Regexp(pat, mode)
	if err != nil {
		// Handle !(pattern-list) negation: when Regexp returns NegExtglobError,
		// match the inner pattern and negate the result.
		negErr, ok := errors.AsType[*pattern.NegExtGlobError](err)
		if !ok {
			return nil, err
		}
		return extNegatedMatcher(pat, negErr.Groups)
	}
	rx := regexp.MustCompile(expr)
	return rx.MatchString, nil
}

// extNegatedMatcher handles !(pattern-list) extglob negation.
// Only a single !(...) group with fixed-string prefix and suffix is supported.
func extNegatedMatcher(pat string, groups []pattern.NegExtGlobGroup) (func(string) bool, error) {
	if len(groups) != 1 {
		return nil, fmt.Errorf("multiple extglob !(...) groups are not supported yet")
	}
	g := groups[0]
	prefix := pat[:g.Start]
	suffix := pat[g.End:]

	if pattern.HasMeta(prefix, 0) || pattern.HasMeta(suffix, 0) {
		return nil, fmt.Errorf("extglob !(...) is only supported with a fixed prefix and suffix")
	}

	// Use @(inner) to compile the pattern list, then negate the match.
	inner := pat[g.Start+len("!(") : g.End-len(")")]
	expr, err := pattern.Regexp("@("+inner+")", pattern.EntireString|pattern.ExtendedOperators)
	if err != nil {
		return nil, err
	}
	rx := regexp.MustCompile(expr)

	return func(name string) bool {
		if !strings.HasPrefix(name, prefix) {
			return false
		}
		if !strings.HasSuffix(name, suffix) {
			return false
		}
		end := len(name) - len(suffix)
		if end < len(prefix) {
			return false // prefix and suffix overlap in name
		}
		middle := name[len(prefix):end]

		return !rx.MatchString(middle)
	}, nil
}

// The helpers below manipulate indexed array variables held as a list of
// elements plus the index of each element when the array is sparse.
// A nil indexes slice means the array is dense: each element's index is its
// position in the list. See the expand.Variable.Indexes field.

// IndexedMax returns the maximum index of an indexed array,
// or -1 when the array is empty.
func IndexedMax(list []string, indexes []int) int {
	if len(indexes) > 0 {
		return indexes[len(indexes)-1]
	}
	return len(list) - 1
}

// SetIndexedElem returns list and indexes with the element at index k set,
// converting a dense array to a sparse one when setting index k would
// otherwise leave a hole. The index k must not be negative.
func SetIndexedElem(list []string, indexes []int, k int, val string) ([]string, []int) {
	if indexes == nil {
		if k < len(list) {
			list[k] = val
			return list, nil
		}
		if k == len(list) {
			return append(list, val), nil
		}
		indexes = make([]int, len(list), len(list)+1)
		for i := range indexes {
			indexes[i] = i
		}
	}
	pos, ok := slices.BinarySearch(indexes, k)
	if ok {
		list[pos] = val
		return list, indexes
	}
	list = slices.Insert(list, pos, val)
	indexes = slices.Insert(indexes, pos, k)
	return list, CanonicalIndexes(indexes)
}

// DeleteIndexedElem is like [SetIndexedElem], but unsetting the element at
// index k, which may leave a hole.
func DeleteIndexedElem(list []string, indexes []int, k int) ([]string, []int) {
	if indexes == nil {
		if k < 0 || k >= len(list) {
			return list, nil
		}
		if k == len(list)-1 {
			return list[:k], nil
		}
		indexes = make([]int, len(list))
		for i := range indexes {
			indexes[i] = i
		}
	}
	pos, ok := slices.BinarySearch(indexes, k)
	if !ok {
		return list, indexes
	}
	list = slices.Delete(list, pos, pos+1)
	indexes = slices.Delete(indexes, pos, pos+1)
	return list, CanonicalIndexes(indexes)
}

// CanonicalIndexes returns nil when indexes is simply 0, 1, 2, and so on,
// as a dense array should leave the indexes nil.
func CanonicalIndexes(indexes []int) []int {
	for i, k := range indexes {
		if k != i {
			return indexes
		}
	}
	return nil
}
