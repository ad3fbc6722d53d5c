package bpf

//go:generate go tool bpf2go -tags linux -target amd64,arm64 -type abi -type phase -type layout recorder recorder.bpf.c -- -I./include -mcpu=v3
