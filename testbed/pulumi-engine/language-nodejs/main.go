// Command pulumi-language-nodejs is the Node.js language host the test suite runs the real Pulumi CLI with.
//
// Why our own: the Go module proxy refuses github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
// ("403 Forbidden: This module version is not available", for tags, commits and pseudo-versions alike), and the
// last sdk/v3 release that still carried the host inside it (v3.68.0) predates RunPlugin, which CLI 3.274 needs for
// policy packs. The host is a thin gRPC shim: it resolves and spawns the SDK's own entry points
// (@pulumi/pulumi/cmd/run for programs, @pulumi/pulumi/cmd/run-plugin for policy packs) with the flags and
// environment those scripts read, so everything that matters — the program, the SDK runtime, the dynamic-provider
// host, the policy analyzer — is the real code. A `pulumi` on PATH (a user's laptop) uses the real host instead.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	pbempty "google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// Exit code of the SDK's run script after it has already shown the user an actionable message
// (@pulumi/pulumi/cmd/run: nodeJSProcessExitedAfterLoggingUserActionableMessage).
const bailExitCode = 32

var version = "0.0.0-offthegrid"

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
}

func main() {
	args := os.Args[1:]
	h := &host{}
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--tracing" || a == "-tracing":
			if i+1 < len(args) {
				h.tracing = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "-"):
			// Logging flags (-v=N, --logtostderr) and options of the real host we do not need.
		default:
			positional = append(positional, a)
		}
	}
	if len(positional) > 0 {
		h.engineAddress = positional[len(positional)-1]
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// Plugins are found on demand in $PULUMI_HOME/plugins when the program registers resources; nothing to pre-install.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// Dependencies are the project's own `npm ci`; the host never installs anything.
func (h *host) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	return nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out))}, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	programDir := req.GetPwd()
	entry := "."
	if info := req.GetInfo(); info != nil {
		programDir = info.GetProgramDirectory()
		if info.GetEntryPoint() != "" {
			entry = info.GetEntryPoint()
		}
	}
	runScript, err := resolveModule(programDir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return nil, err
	}
	args := []string{runScript}
	flag := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("pwd", req.GetPwd())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", fmt.Sprint(req.GetParallel()))
	flag("tracing", h.tracing)
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
	)
	env = append(env, typescriptEnv(req.GetInfo())...)

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	// Wrapped writers: Node may set inherited descriptors non-blocking (golang/go#58408).
	cmd.Stdout = struct{ *os.File }{os.Stdout}
	cmd.Stderr = struct{ *os.File }{os.Stderr}
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.ExitStatus() == bailExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// RunPlugin starts a Node.js plugin — for this project, the policy pack — through the SDK's run-plugin script.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	programDir := req.GetInfo().GetProgramDirectory()
	runScript, err := resolveModule(programDir, "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return err
	}
	args := append([]string{runScript, programDir}, req.GetArgs()...)
	cmd := exec.Command("node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(append([]string{}, req.GetEnv()...), typescriptEnv(req.GetInfo())...)
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("plugin exited with non-zero exit code: %d", exit.ExitCode())
		}
		return fmt.Errorf("could not run node: %w", err)
	}
	return closer.Close()
}

// typescriptEnv mirrors the runtime options the SDK's scripts read (Pulumi.yaml `runtime.options`).
func typescriptEnv(info *pulumirpc.ProgramInfo) []string {
	env := []string{"PULUMI_NODEJS_TYPESCRIPT=true"}
	if info == nil || info.GetOptions() == nil {
		return env
	}
	opts := info.GetOptions().AsMap()
	if ts, ok := opts["typescript"].(bool); ok && !ts {
		env = []string{"PULUMI_NODEJS_TYPESCRIPT=false"}
	}
	if p, ok := opts["tsconfig"].(string); ok && p != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p)
	}
	return env
}

// resolveModule finds an SDK script the way Node would from the program's directory, so the program runs against
// its own @pulumi/pulumi.
func resolveModule(dir, module string) (string, error) {
	cmd := exec.Command("node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot resolve %s from %s (run `npm ci` there): %w", module, dir, err)
	}
	return filepath.Clean(string(out)), nil
}
