#!/usr/bin/env bash
# Endpoint fuzzing (issue 11), longer than the test suite's sample: COUNT malformed requests generated from every
# endpoint's metadata (bodies, query strings, paths, headers, chunked framing), sent through the real TLS
# pipeline as the administrator and anonymously. Fails on any 5xx, an error without problem details, an accepted
# request that must be refused, a stored-data change by a refused request, or an error in the log; the failure
# lists the exact requests. Usage: bench/fuzz.sh [COUNT] [SEED]   (a few thousand requests take about a minute)
source "$(dirname "$0")/common.sh"
count=${1:-20000}
seed=${2:-$(( RANDOM * 32768 + RANDOM ))}
dotnet build "$repo_root/tests/Iris.Camera.Tests" -c Release --nologo -v quiet >/dev/null
echo "machine: $(machine_line)"
echo "fuzz: $count requests, seed $seed (repeat with: bench/fuzz.sh $count $seed)"
start=$(now_ms)
status=0
IRIS_FUZZ_COUNT=$count IRIS_FUZZ_SEED=$seed nice -n 10 dotnet test "$repo_root/tests/Iris.Camera.Tests" -c Release --no-build --nologo \
  --filter "FullyQualifiedName~EndpointFuzzTests" || status=$?
echo "elapsed: $(( ($(now_ms) - start) / 1000 )) s, $(( count * 1000 / ($(now_ms) - start + 1) )) requests/s"
exit $status
