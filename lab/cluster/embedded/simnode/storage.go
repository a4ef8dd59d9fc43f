package simnode

import (
	"context"
	"fmt"
	"path"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/cluster/nodes"
)

// The simulated nodes' storage, as kind's: a default StorageClass
// "standard" whose provisioner (rancher.io/local-path) makes a hostPath
// volume on the node a claim's first pod is scheduled to
// (WaitForFirstConsumer), so that claims that name no class are
// provisioned on demand, as on kind. The API server's own controllers do
// the rest: the PV controller marks the claim for this provisioner, the
// scheduler picks the node, and the PV controller binds the volume made
// here; once the claim is deleted, the volume goes (reclaim policy Delete).
const (
	// StorageClass is the default class of a lab cluster, named as kind names it.
	StorageClass = nodes.StorageClass
	// Provisioner is kind's local-path provisioner, played here.
	Provisioner = "rancher.io/local-path"

	annStorageProvisioner = "volume.kubernetes.io/storage-provisioner"
	annSelectedNode       = "volume.kubernetes.io/selected-node"
	annProvisionedBy      = "pv.kubernetes.io/provisioned-by"
	localPathRoot         = "/var/local-path-provisioner"
	provisionTick         = 500 * time.Millisecond
)

// defaultClass is the StorageClass kind installs.
func defaultClass() *storagev1.StorageClass {
	wait := storagev1.VolumeBindingWaitForFirstConsumer
	del := corev1.PersistentVolumeReclaimDelete
	return &storagev1.StorageClass{
		ObjectMeta:        metav1.ObjectMeta{Name: StorageClass, Annotations: map[string]string{nodes.DefaultClassAnnotation: "true"}},
		Provisioner:       Provisioner,
		ReclaimPolicy:     &del,
		VolumeBindingMode: &wait,
	}
}

// runProvisioner creates the default class, then provisions and deletes
// volumes until ctx ends.
func runProvisioner(ctx context.Context, cs kubernetes.Interface) {
	for {
		_, err := cs.StorageV1().StorageClasses().Create(ctx, defaultClass(), metav1.CreateOptions{})
		if err == nil || apierrors.IsAlreadyExists(err) {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	t := time.NewTicker(provisionTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			provisionOnce(ctx, cs)
		}
	}
}

// provisionOnce makes a volume for every claim waiting for this
// provisioner, and deletes the volumes it made whose claim is gone.
func provisionOnce(ctx context.Context, cs kubernetes.Interface) {
	classes, err := cs.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	ours := map[string]storagev1.StorageClass{}
	for _, c := range classes.Items {
		if c.Provisioner == Provisioner {
			ours[c.Name] = c
		}
	}
	claims, err := cs.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for i := range claims.Items {
		pvc := &claims.Items[i]
		class, ok := ours[classOf(pvc)]
		if !ok {
			continue
		}
		if pv := volumeFor(pvc, &class); pv != nil {
			if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				continue
			}
		}
	}
	pvs, err := cs.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for _, pv := range pvs.Items {
		if pv.Annotations[annProvisionedBy] == Provisioner && pv.Status.Phase == corev1.VolumeReleased &&
			pv.Spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimDelete {
			_ = cs.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
		}
	}
}

func classOf(pvc *corev1.PersistentVolumeClaim) string {
	if pvc.Spec.StorageClassName != nil {
		return *pvc.Spec.StorageClassName
	}
	return ""
}

// volumeFor is the volume to make for pvc of class, or nil while there is
// none to make: the claim is bound or not handed to this provisioner yet,
// or (WaitForFirstConsumer) no pod of it has been scheduled.
func volumeFor(pvc *corev1.PersistentVolumeClaim, class *storagev1.StorageClass) *corev1.PersistentVolume {
	if pvc.DeletionTimestamp != nil || pvc.Spec.VolumeName != "" || pvc.Status.Phase != corev1.ClaimPending ||
		pvc.Annotations[annStorageProvisioner] != Provisioner {
		return nil
	}
	node := pvc.Annotations[annSelectedNode]
	if node == "" && class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer {
		return nil
	}
	size, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return nil
	}
	reclaim := corev1.PersistentVolumeReclaimDelete
	if class.ReclaimPolicy != nil {
		reclaim = *class.ReclaimPolicy
	}
	name := "pvc-" + string(pvc.UID)
	dirType := corev1.HostPathDirectoryOrCreate
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{annProvisionedBy: Provisioner}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:                   pvc.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: reclaim,
			StorageClassName:              class.Name,
			VolumeMode:                    pvc.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: path.Join(localPathRoot, fmt.Sprintf("%s_%s_%s", name, pvc.Namespace, pvc.Name)), Type: &dirType}},
		},
	}
	if node != "" {
		pv.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
		}}}}
	}
	return pv
}
