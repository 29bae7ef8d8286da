"""PyTorch (CPU) on the MLP of `examples/mlp_epoch.rs`, for a side-by-side figure.

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy
    /tmp/torch/bin/python bench/torch_mlp.py <threads> [epochs] [medium|large]

784-256-128-10 (`medium`, the trainer benchmark's net) or 784-512-256-128-10 (`large`) with ReLU,
Adam (lr 1e-3), cross-entropy, batch 128, one epoch over Fashion-MNIST's 60,000 training images
(pixels in [0, 1]). Prints one line per epoch and the peak resident memory.
"""
import gzip
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

DATA = Path(__file__).resolve().parent.parent / "data" / "fashion-mnist"
HIDDEN = {"medium": [256, 128], "large": [512, 256, 128]}


def idx(name, offset):
    with gzip.open(DATA / name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    preset = sys.argv[3] if len(sys.argv) > 3 else "medium"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    sizes = [784] + HIDDEN[preset]
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        t = time.perf_counter()
        for i in range(0, len(x), 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(net(x[b]), y[b])
            loss.backward()
            opt.step()
        e = time.perf_counter() - t
        print(f"torch {torch.__version__} {preset} {torch.get_num_threads()} threads: one epoch {e:.3f} s = {len(x) / e:.0f} samples/s")
    print(f"torch peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
