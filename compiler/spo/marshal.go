package spo

import (
	"errors"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
)

// Marshal encodes the resource as a YAML document for kubectl apply,
// after two comment lines saying how to apply it and how a pod refers to
// it. The JSON library encodes it (fields in the order of the types) and
// sigs.k8s.io/yaml, Kubernetes' own, converts that to YAML, which sorts
// keys as kubectl does; the same resource always gives the same bytes.
func Marshal(sp *SeccompProfile) ([]byte, error) {
	if sp == nil {
		return nil, errors.New("marshal SeccompProfile: resource is nil")
	}
	data, err := jsonfile.Marshal(sp, 0)
	if err != nil {
		return nil, fmt.Errorf("marshal SeccompProfile: %w", err)
	}
	doc, err := yaml.JSONToYAML(data)
	if err != nil {
		return nil, fmt.Errorf("marshal SeccompProfile: %w", err)
	}
	header := fmt.Sprintf("# Written by oci-seccomp-compiler. Apply with kubectl apply -f; pods select it with\n"+
		"# securityContext.seccompProfile: {type: Localhost, localhostProfile: %s}\n", LocalhostProfile(sp.Metadata.Name))
	return append([]byte(header), doc...), nil
}
