package simnode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/apis/v1alpha1"
	kwokclient "sigs.k8s.io/kwok/pkg/client/clientset/versioned"
	"sigs.k8s.io/kwok/pkg/kwok/controllers"
	utilsclient "sigs.k8s.io/kwok/pkg/utils/client"

	"github.com/kubelab/kubelab/assets"
	"github.com/kubelab/kubelab/lab/cluster/nodes"
	"github.com/kubelab/kubelab/lab/workload"
)

// loadStages reads the simulated-kubelet stages from assets, fills in the
// behaviour contract of lab/workload, and groups them by resource.
func loadStages() (map[internalversion.StageResourceRef][]*internalversion.Stage, error) {
	repl := strings.NewReplacer(
		"__KNOWN_IMAGE_RE__", workload.KnownImageRegexp,
		"__CRASH_IMAGE_RE__", workload.CrashImageRegexp,
		"__CRASH_ENV__", workload.EnvCrashAfter,
		"__READY_ENV__", workload.EnvReady,
	)
	out := map[internalversion.StageResourceRef][]*internalversion.Stage{}
	for _, name := range []string{"stages/node.yaml", "stages/pod.yaml"} {
		data, err := fs.ReadFile(assets.FS, name)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(repl.Replace(string(data)))), 4096)
		for {
			var s v1alpha1.Stage
			err := dec.Decode(&s)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if s.Name == "" {
				continue
			}
			v1alpha1.SetObjectDefaults_Stage(&s)
			in, err := internalversion.ConvertToInternalStage(&s)
			if err != nil {
				return nil, fmt.Errorf("%s: stage %s: %w", name, s.Name, err)
			}
			out[in.Spec.ResourceRef] = append(out[in.Spec.ResourceRef], in)
		}
	}
	return out, nil
}

// StartKwok runs kwok's node and pod controllers over the lab nodes.
func StartKwok(ctx context.Context, kubeconfig string, kubeletPort int) error {
	stages, err := loadStages()
	if err != nil {
		return err
	}
	cs, err := utilsclient.NewClientset("", kubeconfig)
	if err != nil {
		return err
	}
	restConfig, err := cs.ToRESTConfig()
	if err != nil {
		return err
	}
	dyn, err := cs.ToDynamicClient()
	if err != nil {
		return err
	}
	mapper, err := cs.ToRESTMapper()
	if err != nil {
		return err
	}
	restClient, err := rest.RESTClientFor(restConfig)
	if err != nil {
		return err
	}
	typed, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	kwokTyped, err := kwokclient.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	ctr, err := controllers.NewController(controllers.Config{
		Clock:                        clock.RealClock{},
		DynamicClient:                dyn,
		RESTClient:                   restClient,
		RESTMapper:                   mapper,
		ImpersonatingDynamicClient:   cs.ToImpersonatingDynamicClient(),
		ImpersonatingTypedClient:     cs.ToImpersonatingTypedClient(),
		TypedClient:                  typed,
		TypedKwokClient:              kwokTyped,
		ManageNodesWithLabelSelector: nodes.KubeletLabel + "=" + nodes.KubeletRunning,
		CIDR:                         "10.244.0.0/16",
		NodePort:                     kubeletPort,
		LocalStages:                  stages,
		PodPlayStageParallelism:      16, // proofs run many namespaces at once
		NodePlayStageParallelism:     2,
		NodeLeaseDurationSeconds:     4,
		NodeLeaseParallelism:         2,
		PodsOnNodeSyncParallelism:    2,
		ID:                           "kubelab",
	})
	if err != nil {
		return fmt.Errorf("simulated nodes: %w", err)
	}
	if err := ctr.Start(ctx); err != nil {
		return fmt.Errorf("simulated nodes: %w", err)
	}
	return nil
}
