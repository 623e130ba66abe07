#!/bin/sh
# Launcher for an installed Iris camera daemon. Sets, before the runtime starts, the environment the daemon's
# security depends on (the daemon would otherwise re-execute itself to set it):
#   OPENSSL_CONF              TLS profile: key-exchange groups P-256/P-384 only, TLS 1.2 floor
#   DOTNET_EnableDiagnostics  0: no runtime diagnostics socket (a debug interface)
here=$(dirname "$(readlink -f "$0")")
export OPENSSL_CONF="${OPENSSL_CONF:-$here/openssl/iris-openssl.cnf}"
export DOTNET_EnableDiagnostics="${DOTNET_EnableDiagnostics:-0}"
exec "$here/Iris.Camera" "$@"
