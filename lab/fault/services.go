package fault

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func newBreakSelector(p params) (Fault, error) {
	return &patchFault{kindPath: "services", name: p["service"], describe: fmt.Sprintf("service/%s's selector was changed", p["service"]),
		patch: func(ctx context.Context, env Env) ([]byte, error) {
			svc, err := env.Client.CoreV1().Services(env.Namespace).Get(ctx, p["service"], metav1.GetOptions{})
			if err != nil {
				return nil, err
			}
			label := p["label"]
			if label == "" {
				for k := range svc.Spec.Selector {
					label = k
					break
				}
			}
			value := p["value"]
			if value == "" {
				value = svc.Spec.Selector[label] + "-typo"
			}
			return []byte(fmt.Sprintf(`{"spec":{"selector":{%q:%q}}}`, label, value)), nil
		}}, nil
}

func newWrongTargetPort(p params) (Fault, error) {
	port, err := p.int("port", 9999)
	if err != nil {
		return nil, err
	}
	return &patchFault{kindPath: "services", name: p["service"], describe: fmt.Sprintf("service/%s now sends traffic to port %d", p["service"], port),
		patch: func(ctx context.Context, env Env) ([]byte, error) {
			svc, err := env.Client.CoreV1().Services(env.Namespace).Get(ctx, p["service"], metav1.GetOptions{})
			if err != nil {
				return nil, err
			}
			if len(svc.Spec.Ports) == 0 {
				return nil, fmt.Errorf("service/%s has no ports", p["service"])
			}
			ports := svc.Spec.Ports
			ports[0].TargetPort.IntVal, ports[0].TargetPort.Type, ports[0].TargetPort.StrVal = int32(port), 0, ""
			return jsonPatch(map[string]any{"spec": map[string]any{"ports": ports}})
		}}, nil
}
