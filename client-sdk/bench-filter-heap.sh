#!/bin/sh
# Smallest -Xmx (MB) at which the SDK loads / downloads a filter of N numbers, new streaming code vs the old byte[]
# code (FilterHeapBench). Usage: client-sdk/bench-filter-heap.sh [N]   (after mvn -pl client-sdk test-compile)
set -e
N=${1:-5000000}
cd "$(dirname "$0")"
CP="target/classes:target/test-classes:$(ls ~/.m2/repository/com/google/guava/guava/33.8.0-android/guava-33.8.0-android.jar)"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
java -cp "$CP" org.dunblock.client.internal.FilterHeapBench prepare "$DIR" "$N"
for mode in load-old load-new download-old download-new; do
  lo=8; hi=512
  while [ $((hi - lo)) -gt 1 ]; do
    mid=$(((lo + hi) / 2))
    if java -XX:+UseSerialGC -Xmx${mid}m -cp "$CP" org.dunblock.client.internal.FilterHeapBench "$mode" "$DIR" >/dev/null 2>&1
    then hi=$mid; else lo=$mid; fi
  done
  echo "$mode: works with -Xmx${hi}m, fails with -Xmx${lo}m"
done
