package fault

import "encoding/json"

func jsonPatch(v any) ([]byte, error) { return json.Marshal(v) }
