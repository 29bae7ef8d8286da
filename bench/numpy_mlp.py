"""A hand-written NumPy MLP (matrix products through NumPy's OpenBLAS) on the recipe of
`examples/mlp_epoch.rs`, for a side-by-side figure: what the same forward, backward and Adam cost
when the products are OpenBLAS's and the rest is NumPy's element-wise passes.

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy
    OPENBLAS_NUM_THREADS=<threads> /tmp/torch/bin/python bench/numpy_mlp.py <threads> [epochs] [medium|large]

ReLU hidden layers (He initialisation), softmax cross-entropy, Adam (lr 1e-3, β 0.9 / 0.999,
ε 1e-8), batch 128, one epoch over the 60,000 training images (pixels in [0, 1]), float32.
Prints one line per epoch and the peak resident memory. The thread count is OpenBLAS's, read from
the environment when NumPy loads; the argument only labels the line.
"""
import gzip
import resource
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "data" / "fashion-mnist"
HIDDEN = {"medium": [256, 128], "large": [512, 256, 128]}


def idx(name, offset):
    with gzip.open(DATA / name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    threads = sys.argv[1] if len(sys.argv) > 1 else "1"
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    preset = sys.argv[3] if len(sys.argv) > 3 else "medium"
    rng = np.random.default_rng(0)
    x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    y = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    sizes = [784] + HIDDEN[preset] + [10]
    params = []
    for a, b in zip(sizes, sizes[1:]):
        params += [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32), np.zeros(b, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, lr, t = 0.9, 0.999, 1e-8, 1e-3, 0
    n_layers = len(sizes) - 1
    for _ in range(epochs):
        perm = rng.permutation(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), 128):
            rows = perm[i:i + 128]
            xb, yb = x[rows], y[rows]
            acts = [xb]
            for l in range(n_layers):
                z = acts[-1] @ params[2 * l] + params[2 * l + 1]
                acts.append(np.maximum(z, 0) if l + 1 < n_layers else z)
            z = acts[-1]
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            d = p
            d[np.arange(len(yb)), yb] -= 1
            d /= len(yb)
            grads = [None] * len(params)
            for l in reversed(range(n_layers)):
                grads[2 * l] = acts[l].T @ d
                grads[2 * l + 1] = d.sum(axis=0)
                if l > 0:
                    d = (d @ params[2 * l].T) * (acts[l] > 0)
            t += 1
            c1, c2 = 1 - b1 ** t, 1 - b2 ** t
            for k, g in enumerate(grads):
                m[k] *= b1
                m[k] += (1 - b1) * g
                v[k] *= b2
                v[k] += (1 - b2) * g * g
                params[k] -= (lr / c1) * m[k] / (np.sqrt(v[k] / c2) + eps)
        e = time.perf_counter() - start
        print(f"numpy {np.__version__} {preset} {threads} threads: one epoch {e:.3f} s = {len(x) / e:.0f} samples/s")
    print(f"numpy peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
