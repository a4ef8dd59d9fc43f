package fault

import (
	"encoding/json"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

func jsonPatch(v any) ([]byte, error) { return json.Marshal(v) }

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }
