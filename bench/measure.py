"""Run one command and print its wall time and peak memory as JSON.

A separate, small process does the measuring: a child's peak RSS on Linux includes what
its parent had mapped when it forked, so the benchmark (which holds a whole content
folder in memory) must not start the measured commands itself.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    start = time.perf_counter()
    done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(done.returncode)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"seconds": elapsed, "peak_bytes": peak}))


if __name__ == "__main__":
    main()
