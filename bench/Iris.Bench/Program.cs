// Iris benchmarks. Function benchmarks run under BenchmarkDotNet:
//   dotnet run -c Release --project bench/Iris.Bench -- vault
// Bench-only helper used by bench/tls-handshakes.sh so nginx serves the very certificate the daemon serves
// (this tool is never shipped on a device):
//   dotnet run -c Release --project bench/Iris.Bench -- export-device-key DATA_DIR KEY_OUT.pem
// Load generator for bench/login-flood.sh:
//   Iris.Bench login-flood URL CERT_PEM DAEMON_PID DEFAULT_PASSWORD [RATE] [SECONDS] [SOURCES]
// Abuse scenarios for bench/abuse.sh (nonce drain, connection exhaustion, login spray, live-view hog):
//   Iris.Bench abuse setup|attack|measure|report ...   (see Abuse.cs)
// Alert source for bench/link.sh:
//   Iris.Bench link-alerts URL CERT_PEM DEFAULT_PASSWORD COUNT PACE_MS
// Database paths for bench/db-encryption.sh (issue 12), and the recordings-key rotation time:
//   Iris.Bench db-path [ROUNDS] [OPS]
//   Iris.Bench key-rotation [GIB] [SEGMENT_MIB] [DIRECTORY]
// Daemon RSS while it installs an update through its own path, for bench/footprint.sh (issue 18):
//   Iris.Bench update-rss URL CERT_PEM DAEMON_PID DEFAULT_PASSWORD
using BenchmarkDotNet.Running;
using Iris.Bench;

if (args is ["export-device-key", var dataDirectory, var output])
{
    return DeviceKeyExport.Run(dataDirectory, output);
}

if (args is ["live-view", .. var liveArgs])
{
    return await LiveViewLoad.RunAsync(liveArgs);
}

if (args is ["login-flood", .. var floodArgs])
{
    return await LoginFlood.RunAsync(floodArgs);
}

if (args is ["link-alerts", .. var linkArgs])
{
    return await LinkAlerts.RunAsync(linkArgs);
}

if (args is ["db-path", .. var pathArgs])
{
    return await DatabasePath.RunAsync(pathArgs);
}

if (args is ["key-rotation", .. var rotationArgs])
{
    return KeyRotation.Run(rotationArgs);
}

if (args is ["update-rss", .. var updateArgs])
{
    return await UpdateFootprint.RunAsync(updateArgs);
}

if (args is ["abuse", .. var abuseArgs])
{
    return await Abuse.RunAsync(abuseArgs);
}

var benchmarkArgs = args.Where(a => a != "vault").ToArray();
BenchmarkSwitcher.FromTypes([typeof(VaultBenchmarks), typeof(PasswordHashBenchmarks), typeof(MediaBenchmarks)]).Run(benchmarkArgs.Length == 0 ? ["--filter", "*"] : benchmarkArgs);
return 0;
