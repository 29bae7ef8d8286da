"""takeoff's MLP trainer against PyTorch's and a hand-written NumPy MLP, side by side: epochs of
784-256-128-10 (`medium`) and 784-512-256-128-10 (`large`), ReLU, Adam, batch 128, over the 60,000
Fashion-MNIST images, on 1 thread and on every core, the three alternating, `rounds` times each;
prints every epoch, the medians and the ratios.

    cargo build --release --example mlp_epoch
    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy
    python3 bench/compare_mlp.py /tmp/torch/bin/python [rounds] [epochs per run]
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


def run(cmd, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout
    print(out.strip(), flush=True)
    return [float(s) for s, _ in RATE.findall(out)], int(MEMORY.search(out).group(1))


def main():
    python = sys.argv[1] if len(sys.argv) > 1 else "python3"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    epochs = sys.argv[3] if len(sys.argv) > 3 else "2"
    sides = {
        "takeoff": [str(ROOT / "target" / "release" / "examples" / "mlp_epoch")],
        "PyTorch": [python, str(ROOT / "bench" / "torch_mlp.py")],
        "NumPy": [python, str(ROOT / "bench" / "numpy_mlp.py")],
    }
    for preset in ["medium", "large"]:
        for threads in sorted({1, os.cpu_count() or 1}):
            epochs_of = {k: [] for k in sides}
            memory = {k: 0 for k in sides}
            for _ in range(rounds):
                for name, cmd in sides.items():
                    secs, mb = run(cmd + [str(threads), epochs, preset], threads)
                    epochs_of[name] += secs
                    memory[name] = max(memory[name], mb)
            med = {k: statistics.median(v) for k, v in epochs_of.items()}
            print(f"{preset}, {threads} threads: " + ", ".join(
                f"{k} median {s:.3f} s ({60000 / s:.0f} samples/s, {memory[k]} MB)" for k, s in med.items())
                + f": takeoff {med['PyTorch'] / med['takeoff']:.2f}× PyTorch's speed, "
                f"{med['NumPy'] / med['takeoff']:.2f}× NumPy's", flush=True)


if __name__ == "__main__":
    main()
