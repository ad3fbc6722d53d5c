module github.com/oci-hooks/oci-seccomp-bpf-hook

go 1.26.0

require (
	github.com/cilium/ebpf v0.22.0
	github.com/containers/common v0.62.3
	github.com/go-json-experiment/json v1.27.2
	github.com/opencontainers/runtime-spec v1.3.0
	github.com/seccomp/libseccomp-golang v0.11.1
	github.com/sirupsen/logrus v1.9.4
	golang.org/x/sys v0.50.0
	sigs.k8s.io/yaml v1.6.0
)

require (
	github.com/containers/storage v1.57.2 // indirect
	go.yaml.in/yaml/v2 v2.4.2 // indirect
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
)

tool github.com/cilium/ebpf/cmd/bpf2go
