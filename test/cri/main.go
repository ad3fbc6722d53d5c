// Command cri is the system tests' stand-in for kubelet: a small CRI v1
// client that runs pods through a container runtime's CRI socket
// (containerd's, in test/09-containerd.bats), since Debian 12 packages
// neither kubelet nor crictl.
//
//	cri -socket PATH ready [-timeout D] [IMAGE...]
//	cri -socket PATH run -image IMAGE [flags] -- COMMAND [ARG...]
//	cri -socket PATH clean
//
// ready waits until the runtime answers, reports RuntimeReady and knows
// every IMAGE, then prints its name and version: a node is ready for
// pods.
//
// run starts a pod sandbox on the host network, then runs each container
// named with -container (default "app") in it in turn, as kubelet would
// create it: COMMAND in IMAGE, with the container annotations given, and
// with -seccomp, the seccomp profile Localhost with that path (else
// Unconfined, kubelet's default). It waits for each container to exit,
// prints its log lines as "NAME: LINE" and then "NAME: exit code N", and
// removes the pod. It exits with the first non-zero exit code of a
// container, or 125 when the runtime refused or failed a request (the
// message says which).
//
// clean stops and removes every pod, for a test's teardown.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	cri "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// exitFailed is the exit code when the runtime failed a request, as
// podman run uses it for its own errors.
const exitFailed = 125

func main() {
	socket := flag.String("socket", "/run/containerd/containerd.sock", "the CRI runtime's unix socket")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cri [-socket PATH] ready [-timeout D] [IMAGE...] | run -image IMAGE [flags] -- COMMAND [ARG...] | clean")
		flag.PrintDefaults()
	}
	flag.Parse()
	conn, err := grpc.NewClient("unix:"+*socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fail(fmt.Errorf("connect to %s: %w", *socket, err))
	}
	rt, img := cri.NewRuntimeServiceClient(conn), cri.NewImageServiceClient(conn)
	code := 0
	switch flag.Arg(0) {
	case "ready":
		err = ready(rt, img, flag.Args()[1:])
	case "run":
		code, err = run(rt, flag.Args()[1:])
	case "clean":
		err = clean(rt)
	default:
		flag.Usage()
		os.Exit(2)
	}
	conn.Close()
	if err != nil {
		fail(err)
	}
	os.Exit(code)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "cri: error: %v\n", err)
	os.Exit(exitFailed)
}

func ready(rt cri.RuntimeServiceClient, img cri.ImageServiceClient, args []string) error {
	fs := flag.NewFlagSet("ready", flag.ExitOnError)
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait")
	fs.Parse(args) // exits on a bad flag
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	// The socket appears, the CRI plugin initialises and imported images
	// reach its store each in their own time: poll.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		v, err := readyOnce(ctx, rt, img, fs.Args())
		if err == nil {
			fmt.Printf("%s %s (CRI %s)\n", v.GetRuntimeName(), v.GetRuntimeVersion(), v.GetRuntimeApiVersion())
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the runtime: %w", err)
		case <-tick.C:
		}
	}
}

func readyOnce(ctx context.Context, rt cri.RuntimeServiceClient, img cri.ImageServiceClient, images []string) (*cri.VersionResponse, error) {
	v, err := rt.Version(ctx, &cri.VersionRequest{})
	if err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	st, err := rt.Status(ctx, &cri.StatusRequest{})
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	// NetworkReady stays false without CNI, which host-network pods do
	// not need; only the runtime's own condition matters here.
	for _, c := range st.GetStatus().GetConditions() {
		if c.GetType() == cri.RuntimeReady && !c.GetStatus() {
			return nil, fmt.Errorf("runtime not ready: %s: %s", c.GetReason(), c.GetMessage())
		}
	}
	for _, i := range images {
		resp, err := img.ImageStatus(ctx, &cri.ImageStatusRequest{Image: &cri.ImageSpec{Image: i}})
		if err != nil {
			return nil, fmt.Errorf("image status %s: %w", i, err)
		}
		if resp.GetImage() == nil {
			return nil, fmt.Errorf("image %s: not found", i)
		}
	}
	return v, nil
}

func clean(rt cri.RuntimeServiceClient) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pods, err := rt.ListPodSandbox(ctx, &cri.ListPodSandboxRequest{})
	if err != nil {
		return fmt.Errorf("list pod sandboxes: %w", err)
	}
	for _, p := range pods.GetItems() {
		if err := removePod(ctx, rt, p.GetId()); err != nil {
			return err
		}
	}
	return nil
}

// removePod stops and removes a pod sandbox, which stops and removes its
// containers.
func removePod(ctx context.Context, rt cri.RuntimeServiceClient, id string) error {
	if _, err := rt.StopPodSandbox(ctx, &cri.StopPodSandboxRequest{PodSandboxId: id}); err != nil {
		return fmt.Errorf("stop pod sandbox %s: %w", id, err)
	}
	if _, err := rt.RemovePodSandbox(ctx, &cri.RemovePodSandboxRequest{PodSandboxId: id}); err != nil {
		return fmt.Errorf("remove pod sandbox %s: %w", id, err)
	}
	return nil
}

// keyValues is a repeatable KEY=VALUE flag.
type keyValues map[string]string

func (kv keyValues) String() string { return fmt.Sprint(map[string]string(kv)) }

func (kv keyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	kv[k] = v
	return nil
}

// names is a repeatable flag.
type names []string

func (n *names) String() string     { return strings.Join(*n, ",") }
func (n *names) Set(s string) error { *n = append(*n, s); return nil }

func run(rt cri.RuntimeServiceClient, args []string) (code int, err error) {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	namespace := fs.String("namespace", "default", "the pod's namespace")
	pod := fs.String("pod", "pod", "the pod's name")
	uid := fs.String("uid", "", "the pod's uid (default NAMESPACE-POD)")
	image := fs.String("image", "", "the containers' image (required)")
	seccomp := fs.String("seccomp", "", "absolute path of a seccomp profile for the containers (Localhost); default Unconfined")
	logDir := fs.String("log-dir", "", "the pod's log directory (default a temporary one, removed at the end)")
	timeout := fs.Duration("timeout", time.Minute, "deadline for the whole pod, start to removal")
	podAnnotations, annotations := keyValues{}, keyValues{}
	fs.Var(podAnnotations, "pod-annotation", "a pod annotation `KEY=VALUE` (repeatable)")
	fs.Var(annotations, "annotation", "a container annotation `KEY=VALUE` (repeatable)")
	var containers names
	fs.Var(&containers, "container", "a container `NAME` to run, in order (repeatable; default app)")
	fs.Parse(args) // exits on a bad flag
	if *image == "" || fs.NArg() == 0 {
		return 0, errors.New("run: -image and a command are required")
	}
	if len(containers) == 0 {
		containers = names{"app"}
	}
	if *uid == "" {
		*uid = *namespace + "-" + *pod
	}
	if *logDir == "" {
		dir, err := os.MkdirTemp("", "cri-logs-")
		if err != nil {
			return 0, fmt.Errorf("create log directory: %w", err)
		}
		defer os.RemoveAll(dir)
		*logDir = dir
	}
	// Unconfined is what kubelet asks for when a pod names no profile.
	sp := &cri.SecurityProfile{ProfileType: cri.SecurityProfile_Unconfined}
	if *seccomp != "" {
		sp = &cri.SecurityProfile{ProfileType: cri.SecurityProfile_Localhost, LocalhostRef: *seccomp}
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	sandbox := &cri.PodSandboxConfig{
		Metadata:     &cri.PodSandboxMetadata{Name: *pod, Namespace: *namespace, Uid: *uid},
		LogDirectory: *logDir,
		Annotations:  podAnnotations,
		Linux: &cri.LinuxPodSandboxConfig{SecurityContext: &cri.LinuxSandboxSecurityContext{
			NamespaceOptions: &cri.NamespaceOption{Network: cri.NamespaceMode_NODE},
		}},
	}
	resp, err := rt.RunPodSandbox(ctx, &cri.RunPodSandboxRequest{Config: sandbox})
	if err != nil {
		return 0, fmt.Errorf("run pod sandbox %s/%s: %w", *namespace, *pod, err)
	}
	podID := resp.GetPodSandboxId()
	// The pod goes even when the deadline has passed, so a fresh context;
	// a pod left behind is an error.
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if rerr := removePod(ctx, rt, podID); rerr != nil && err == nil {
			err = rerr
		}
	}()

	for _, name := range containers {
		c := &cri.ContainerConfig{
			Metadata:    &cri.ContainerMetadata{Name: name},
			Image:       &cri.ImageSpec{Image: *image},
			Command:     fs.Args(),
			LogPath:     name + ".log",
			Annotations: annotations,
			Linux: &cri.LinuxContainerConfig{SecurityContext: &cri.LinuxContainerSecurityContext{
				Seccomp: sp,
			}},
		}
		exit, err := runContainer(ctx, rt, podID, sandbox, c)
		if err != nil {
			return 0, fmt.Errorf("container %s: %w", name, err)
		}
		if err := printLog(name, filepath.Join(*logDir, c.LogPath)); err != nil {
			return 0, err
		}
		fmt.Printf("%s: exit code %d\n", name, exit)
		if code == 0 {
			code = exit
		}
	}
	return code, nil
}

// runContainer creates and starts a container in the pod and waits for
// it to exit, returning its exit code.
func runContainer(ctx context.Context, rt cri.RuntimeServiceClient, podID string, sandbox *cri.PodSandboxConfig, c *cri.ContainerConfig) (int, error) {
	created, err := rt.CreateContainer(ctx, &cri.CreateContainerRequest{PodSandboxId: podID, Config: c, SandboxConfig: sandbox})
	if err != nil {
		return 0, fmt.Errorf("create: %w", err)
	}
	id := created.GetContainerId()
	if _, err := rt.StartContainer(ctx, &cri.StartContainerRequest{ContainerId: id}); err != nil {
		return 0, fmt.Errorf("start: %w", err)
	}
	// As kubelet does, poll the status; a short tick, since the
	// containers the tests run exit within milliseconds.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := rt.ContainerStatus(ctx, &cri.ContainerStatusRequest{ContainerId: id})
		if err != nil {
			return 0, fmt.Errorf("status: %w", err)
		}
		if s := st.GetStatus(); s.GetState() == cri.ContainerState_CONTAINER_EXITED {
			return int(s.GetExitCode()), nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for exit: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// printLog prints the messages of a CRI log file ("TIME STREAM TAGS
// MESSAGE" a line, tag P for a partial line continued on the next), each
// prefixed with the container's name.
func printLog(name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read log: %w", err)
	}
	defer f.Close()
	var partial strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), " ", 4)
		if len(fields) < 4 {
			return fmt.Errorf("read log %s: malformed line %q", path, sc.Text())
		}
		partial.WriteString(fields[3])
		if strings.HasPrefix(fields[2], "P") {
			continue
		}
		fmt.Printf("%s: %s\n", name, partial.String())
		partial.Reset()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read log %s: %w", path, err)
	}
	return nil
}
