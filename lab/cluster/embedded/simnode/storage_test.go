package simnode

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func claim(annotations map[string]string) *corev1.PersistentVolumeClaim {
	class := StorageClass
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "photos", Namespace: "lab-storage", UID: types.UID("1234"), Annotations: annotations},
		Spec: corev1.PersistentVolumeClaimSpec{
			StorageClassName: &class,
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
	}
}

// As kind's local-path provisioner: a claim of the default class gets a
// volume once the PV controller hands it over and (WaitForFirstConsumer)
// the scheduler has picked its first pod's node; the volume is pinned there.
func TestProvisionerMakesAVolumeWhereTheFirstPodRuns(t *testing.T) {
	t.Parallel()
	class := defaultClass()
	if pv := volumeFor(claim(nil), class); pv != nil {
		t.Errorf("a claim not handed to the provisioner got %s", pv.Name)
	}
	if pv := volumeFor(claim(map[string]string{annStorageProvisioner: Provisioner}), class); pv != nil {
		t.Errorf("a claim whose first pod is not scheduled yet got %s", pv.Name)
	}
	pv := volumeFor(claim(map[string]string{annStorageProvisioner: Provisioner, annSelectedNode: "kubelab-worker2"}), class)
	if pv == nil {
		t.Fatal("no volume for a claim whose pod is scheduled")
	}
	if pv.Name != "pvc-1234" || pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.Name != "photos" || pv.Spec.StorageClassName != StorageClass {
		t.Errorf("volume = %+v", pv)
	}
	if got := pv.Spec.Capacity[corev1.ResourceStorage]; got.Cmp(resource.MustParse("1Gi")) != 0 {
		t.Errorf("capacity = %s, want the claim's 1Gi", got.String())
	}
	if pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
		t.Errorf("reclaim policy = %s, want Delete as kind's class", pv.Spec.PersistentVolumeReclaimPolicy)
	}
	terms := pv.Spec.NodeAffinity.Required.NodeSelectorTerms
	if len(terms) != 1 || terms[0].MatchExpressions[0].Values[0] != "kubelab-worker2" {
		t.Errorf("node affinity = %+v, want the pod's node", terms)
	}
	bound := claim(map[string]string{annStorageProvisioner: Provisioner, annSelectedNode: "kubelab-worker2"})
	bound.Spec.VolumeName, bound.Status.Phase = "pvc-1234", corev1.ClaimBound
	if pv := volumeFor(bound, class); pv != nil {
		t.Errorf("a bound claim got another volume %s", pv.Name)
	}
}
