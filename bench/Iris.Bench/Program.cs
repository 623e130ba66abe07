// Iris benchmarks. Function benchmarks run under BenchmarkDotNet:
//   dotnet run -c Release --project bench/Iris.Bench -- vault
// Bench-only helper used by bench/tls-handshakes.sh so nginx serves the very certificate the daemon serves
// (this tool is never shipped on a device):
//   dotnet run -c Release --project bench/Iris.Bench -- export-device-key DATA_DIR KEY_OUT.pem
using BenchmarkDotNet.Running;
using Iris.Bench;

if (args is ["export-device-key", var dataDirectory, var output])
{
    return DeviceKeyExport.Run(dataDirectory, output);
}

var benchmarkArgs = args.Where(a => a != "vault").ToArray();
BenchmarkSwitcher.FromTypes([typeof(VaultBenchmarks)]).Run(benchmarkArgs.Length == 0 ? ["--filter", "*"] : benchmarkArgs);
return 0;
