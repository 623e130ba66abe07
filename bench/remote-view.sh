#!/usr/bin/env bash
# Remote view benchmark (issue 15): through Iris.Relay against the camera's own live view, in one process with a
# real mosquitto (tests/Iris.Camera.Tests/Relay/RemoteViewBench.cs does the measuring; SECONDS is each window):
#  1. latency the relay adds per fragment: each fMP4 fragment's arrival through the relay (camera seals, relay
#     forwards, viewer opens) minus its arrival on the camera's own live.mp4 (the same fragment, matched by its
#     decode time, which every follower of the live feed shares), p50/p99/max;
#  2. the viewer's decrypt cost: WebCrypto AES-256-GCM in Chromium at the measured median fragment size;
#  3. the relay's CPU per stream: iris-relay started as its own process, its user + system time read from
#     /proc/PID/stat while it carries 0, 1, 2 and 4 streams shaped like the measured one (median fragment size at
#     the measured rate), each camera with its own device certificate, each viewer reading everything.
# Usage: bench/remote-view.sh [SECONDS]   (default 60). Results: artifacts/bench/remote-view.txt
source "$(dirname "$0")/common.sh"
seconds=${1:-60}
ensure_packages mosquitto ffmpeg chromium
dotnet build "$repo_root/tests/Iris.Camera.Tests" -c Release --nologo -v quiet >/dev/null
echo "machine: $(machine_line)"
IRIS_BENCH_SECONDS=$seconds dotnet test "$repo_root/tests/Iris.Camera.Tests" -c Release --no-build --nologo \
  --filter "FullyQualifiedName~Relay.RemoteViewBench" >/dev/null || { echo "remote-view bench failed" >&2; exit 1; }
cat "$out/remote-view.txt"
