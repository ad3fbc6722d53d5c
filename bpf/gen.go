package bpf

//go:generate go tool bpf2go -tags linux -target amd64,arm64 -type abi -type phase -type layout -type part -type arg_kind -type arg_set -type cpu_cache recorder recorder.bpf.c -- -I./include -mcpu=v3
