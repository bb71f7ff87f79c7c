// kubectl for the cluster-view benchmark, built from the published k8s.io/kubectl module so the
// benchmark compares Parity with the real client on the same control plane.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
)

func main() {
	os.Exit(cli.Run(cmd.NewDefaultKubectlCommand()))
}
