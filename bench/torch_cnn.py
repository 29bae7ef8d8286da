"""PyTorch (CPU) on the convolutional net of `examples/cnn_epoch.rs`, for a side-by-side figure.

    python -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy
    /tmp/torch/bin/python bench/torch_cnn.py <threads> [epochs]

LeNet at Fashion-MNIST's size, as `ConvParams::lenet()`: 5 × 5 convolutions of 16 and 32 channels
(stride 1, no padding), each followed by ReLU and 2 × 2 max pooling, a dense layer of 128 with ReLU,
10 outputs; Adam (lr 1e-3), cross-entropy, batch 128, one epoch over the 60,000 training images
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


def idx(name, offset):
    with gzip.open(DATA / name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 32, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
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
        print(f"torch {torch.__version__} {torch.get_num_threads()} threads: one epoch {e:.2f} s = {len(x) / e:.0f} samples/s")
    print(f"torch peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
