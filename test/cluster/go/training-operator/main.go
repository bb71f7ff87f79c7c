// Command training-operator runs the Kubeflow Training Operator's PyTorchJob and TFJob controllers
// for the test control plane: the upstream reconcilers, without the upstream main's admission
// webhooks and certificate rotation (they need an in-cluster Service the test cluster lacks).
package main

import (
	"flag"
	"os"

	kubeflowv1 "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1"
	"github.com/kubeflow/training-operator/pkg/config"
	controllerv1 "github.com/kubeflow/training-operator/pkg/controller.v1"
	"github.com/kubeflow/training-operator/pkg/controller.v1/common"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

func main() {
	// The upstream main's flags for the pods it writes, with the upstream defaults.
	flag.StringVar(&config.Config.PyTorchInitContainerImage, "pytorch-init-container-image",
		config.PyTorchInitContainerImageDefault, "image of the init container that waits for the master")
	flag.StringVar(&config.Config.PyTorchInitContainerTemplateFile, "pytorch-init-container-template-file",
		config.PyTorchInitContainerTemplateFileDefault, "template of that init container")
	flag.IntVar(&config.Config.PyTorchInitContainerMaxTries, "pytorch-init-container-max-tries",
		config.PyTorchInitContainerMaxTriesDefault, "tries of that init container")
	opts := zap.Options{Development: true}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("setup")

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		log.Error(err, "client-go scheme")
		os.Exit(1)
	}
	if err := kubeflowv1.AddToScheme(scheme); err != nil {
		log.Error(err, "kubeflow scheme")
		os.Exit(1)
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		log.Error(err, "unable to create the manager")
		os.Exit(1)
	}
	for _, kind := range []string{kubeflowv1.PyTorchJobKind, kubeflowv1.TFJobKind} {
		setup := controllerv1.SupportedSchemeReconciler[kind]
		if err := setup(mgr, common.GenNonGangSchedulerSetupFunc(), 1); err != nil {
			log.Error(err, "unable to create the controller", "kind", kind)
			os.Exit(1)
		}
	}
	log.Info("starting", "kinds", []string{kubeflowv1.PyTorchJobKind, kubeflowv1.TFJobKind})
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}
