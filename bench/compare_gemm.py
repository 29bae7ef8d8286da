"""takeoff's matrix product against NumPy's OpenBLAS, side by side, at the shapes of the MLPs' and
the LeNet's training steps, on 1 thread and on every core, the two alternating, `rounds` times
each; prints every run, then the median GFLOP/s per shape and takeoff's share of OpenBLAS's.

    cargo build --release --example gemm
    python3 bench/compare_gemm.py [python with numpy] [rounds]
"""
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"gemm (\d+ \d+ \d+ \w\w): ([\d.]+) GFLOP/s")


def run(cmd, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run(cmd + [str(threads)], cwd=ROOT, capture_output=True, text=True, check=True,
                         env=env).stdout
    print(out.strip(), flush=True)
    return {shape: float(g) for shape, g in LINE.findall(out)}


def main():
    python = sys.argv[1] if len(sys.argv) > 1 else "python3"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    sides = {
        "takeoff": [str(ROOT / "target" / "release" / "examples" / "gemm")],
        "OpenBLAS": [python, str(ROOT / "bench" / "numpy_gemm.py")],
    }
    for threads in sorted({1, os.cpu_count() or 1}):
        rates = {k: defaultdict(list) for k in sides}
        for _ in range(rounds):
            for name, cmd in sides.items():
                for shape, g in run(cmd, threads).items():
                    rates[name][shape].append(g)
        print(f"{threads} threads (m k n, layout: takeoff, OpenBLAS GFLOP/s, takeoff / OpenBLAS):")
        for shape, ours in rates["takeoff"].items():
            a, b = statistics.median(ours), statistics.median(rates["OpenBLAS"][shape])
            print(f"  {shape}: {a:.1f}, {b:.1f}, {a / b:.2f}", flush=True)


if __name__ == "__main__":
    main()
