#!/bin/sh
# `make bench-pdf`: renders a 10-line fiscal invoice 10,000 times (BENCH_PDFS=N) on one core, RUNS times
# (default 3); prints the median rate and the resident memory at the start, after a tenth and at the end.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_PDFS:-10000}
RUNS=${BENCH_RUNS:-3}
swift build -c release --product hostico 2>&1 | tail -1
: > bench-pdf.log
i=1
while [ "$i" -le "$RUNS" ]; do
  .build/release/hostico bench pdf --count "$N" | tee -a bench-pdf.log
  i=$((i+1))
done
python3 - <<'PY'
import re, statistics
rates = [int(m.group(1)) for m in (re.search(r"= (\d+)/s", l) for l in open("bench-pdf.log")) if m]
rss = [l.split("RSS ")[1].strip() for l in open("bench-pdf.log") if "RSS " in l]
print(f"RESULT PDF: median {statistics.median(rates)}/s over {len(rates)} runs (target >= 100/s on one core); memory: {rss[-1]}")
PY
