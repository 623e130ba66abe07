// The daemon runs on Linux camera boards (ARM64, x64) only: file modes, fsync of directories, execve and
// OpenSSL profiles are part of its security design.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
