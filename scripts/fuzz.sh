#!/usr/bin/env bash
# Fuzzes the HTTP request parser with libFuzzer for a bounded time.
#
#   scripts/fuzz.sh [seconds]     (default 60)
#
# Builds Sources/HTTPParserFuzz with -sanitize=fuzzer,address into .build-fuzz, seeds a working
# corpus from scripts/fuzz-corpus/, and runs until the time is up. Exits non-zero on a crash, a
# leak or a broken parser invariant; the reproducer is written to .build-fuzz/artifacts/.
# Replay one with: swift run HTTPParserFuzz .build-fuzz/artifacts/crash-...
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scratch=.build-fuzz
swift build -c release --product HTTPParserFuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -enable-experimental-feature -Xswiftc Extern
binary="$(swift build -c release --product HTTPParserFuzz --scratch-path "$scratch" --show-bin-path)/HTTPParserFuzz"

# libFuzzer adds what it finds to the first corpus directory: keep the committed seeds read-only.
corpus="$scratch/corpus"
artifacts="$scratch/artifacts"
mkdir -p "$corpus" "$artifacts"
cp -n scripts/fuzz-corpus/* "$corpus/"

echo "fuzzing for ${seconds}s; corpus in $corpus"
# Swift's crash backtracer reads memory ASan considers out of bounds and would hide the real report.
SWIFT_BACKTRACE=enable=no "$binary" "$corpus" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -dict=scripts/fuzz-corpus.dict -artifact_prefix="$artifacts/" -print_final_stats=1
