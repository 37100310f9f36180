#!/usr/bin/env bash
# Throughput of a Netty hello server with and without respread's handlers, side by side:
# wrk (HTTP/1.1) and h2load (h2c), alternating rounds, medians and the with/without ratio.
# Needs wrk and h2load (Debian: apt-get install wrk nghttp2-client).
# Usage: middleware-netty/bench/throughput.sh [rounds] [seconds] [connections]   (default 5 5 32)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk h2load; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
exec java -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
  dev.respread.netty.ThroughputBenchmarkMain "$@"
