"""PyTorch (CPU) on the trainer benchmark's net, for a side-by-side figure with `cargo bench --bench trainer`.

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy
    /tmp/torch/bin/python bench/torch_mlp.py

One epoch of 784-256-128-10 with ReLU, batch 128, Adam (lr 1e-3), cross-entropy, over Fashion-MNIST's
60,000 training images, on 2 threads; prints the median of 3 epochs in samples per second.
"""
import gzip
import statistics
import time
from pathlib import Path

import numpy as np
import torch

DATA = Path(__file__).resolve().parent.parent / "data" / "fashion-mnist"


def idx(name, offset):
    with gzip.open(DATA / name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(3):
        perm = torch.randperm(len(x))
        t = time.perf_counter()
        for i in range(0, len(x), 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(net(x[b]), y[b])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t)
    e = statistics.median(times)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads: one epoch median {e:.2f} s = {len(x) / e:.0f} samples/s")


if __name__ == "__main__":
    main()
