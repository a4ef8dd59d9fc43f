package lesson

import "testing"

func TestJSONPathOfAFormatV1Path(t *testing.T) {
	t.Parallel()
	for old, want := range map[string]string{
		"status.readyReplicas":                      ".status.readyReplicas",
		".status.podIP":                             ".status.podIP",
		"spec.template.spec.containers[0].image":    ".spec.template.spec.containers[0].image",
		"data['COLOR']":                             ".data.COLOR",
		`spec.selector["version"]`:                  ".spec.selector.version",
		"metadata.labels['app.kubernetes.io/name']": `.metadata.labels.app\.kubernetes\.io/name`,
	} {
		if got := jsonPathOf(old); got != want {
			t.Errorf("jsonPathOf(%q) = %q, want %q", old, got, want)
		}
	}
}

func TestRefsAndTheirExpansion(t *testing.T) {
	t.Parallel()
	cmd := `kubectl label pod web node={{ pod/web .spec.nodeName }} c={{pod/web .spec.containers[?(@.name == "web")].image}}`
	refs := Refs(cmd)
	if len(refs) != 2 || refs[0] != (Ref{"pod/web", ".spec.nodeName"}) || refs[1].Expr != `.spec.containers[?(@.name == "web")].image` {
		t.Fatalf("refs = %+v", refs)
	}
	if refs[0].Path() != "{.spec.nodeName}" {
		t.Errorf("path = %q", refs[0].Path())
	}
	out, err := ExpandRefs(cmd, func(r Ref) (string, error) { return "<" + r.Expr + ">", nil })
	if err != nil || out != `kubectl label pod web node=<.spec.nodeName> c=<.spec.containers[?(@.name == "web")].image>` {
		t.Errorf("expanded = %q, %v", out, err)
	}
}
