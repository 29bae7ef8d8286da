"""takeoff's convolutional net against PyTorch's, side by side: one epoch of LeNet 16-32-128 over the
60,000 Fashion-MNIST images, on 1 thread and on every core, the two sides alternating, `rounds`
times each; prints every epoch, the medians and the ratio.

    cargo build --release --example cnn_epoch
    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy
    python3 bench/compare_cnn.py /tmp/torch/bin/python [rounds]
"""
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATE = re.compile(r"one epoch ([\d.]+) s = (\d+) samples/s")
MEMORY = re.compile(r"peak resident memory (\d+) MB")


def run(cmd):
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    print(out.strip(), flush=True)
    return float(RATE.search(out).group(1)), int(MEMORY.search(out).group(1))


def main():
    python = sys.argv[1] if len(sys.argv) > 1 else "python3"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    ours = [str(ROOT / "target" / "release" / "examples" / "cnn_epoch")]
    theirs = [python, str(ROOT / "bench" / "torch_cnn.py")]
    for threads in sorted({1, os.cpu_count() or 1}):
        a, b = [], []
        for _ in range(rounds):
            a.append(run(ours + [str(threads)]))
            b.append(run(theirs + [str(threads)]))
        ta, tb = statistics.median(s for s, _ in a), statistics.median(s for s, _ in b)
        print(f"{threads} threads: takeoff median {ta:.2f} s ({60000 / ta:.0f} samples/s, "
              f"{max(m for _, m in a)} MB), PyTorch median {tb:.2f} s ({60000 / tb:.0f} samples/s, "
              f"{max(m for _, m in b)} MB): takeoff {tb / ta:.2f}× PyTorch's speed", flush=True)


if __name__ == "__main__":
    main()
