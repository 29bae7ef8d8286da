"""PyTorch (CPU) on chapter 1's convolutional net under chapter 1's stopping rule, for the accuracy
side of the comparison with the crate's net.

    /tmp/torch/bin/python bench/torch_cnn_accuracy.py <m> <seed> [lr] [decay] [threads]

LeNet as `ConvParams::lenet()` (5 × 5 convolutions of 16 and 32 channels, no padding, ReLU, 2 × 2
max pooling, dense 128, 10 outputs; PyTorch's default initialisation), Adam, cross-entropy, batch
128. The rule of `StoppingRule::cnn(Profile::Default)`: 10% of the m examples held out (chosen by
the seed), pixels scaled by one mean and one standard deviation (taken here from the other 90%;
the crate takes them from all m, a difference in the fourth digit), accuracy on the
held-out part after every round (one epoch, or as many as it takes to see 10,000 examples), stop
after 5 rounds without improvement, at most 60 epochs (more at small m), the learning rate
multiplied by `decay` after every round, the best round's weights kept. The m examples are the
first m of a permutation of the 60,000 training images drawn with seed 1234 (the same for every
seed, so that sizes are nested). Prints the test accuracy of the kept weights.
"""
import copy
import gzip
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

DATA = Path(__file__).resolve().parent.parent / "data" / "fashion-mnist"


def idx(name, offset):
    with gzip.open(DATA / name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def images(name):
    return idx(name, 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255


def accuracy(net, x, y):
    net.eval()
    with torch.no_grad():
        correct = sum((net(x[i:i + 1024]).argmax(1) == y[i:i + 1024]).sum().item() for i in range(0, len(x), 1024))
    net.train()
    return correct / len(x)


def main():
    m = int(sys.argv[1])
    seed = int(sys.argv[2])
    lr = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-3
    decay = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 2)
    x_all = images("train-images-idx3-ubyte.gz")
    y_all = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    subset = np.random.default_rng(1234).permutation(len(x_all))[:m]
    rng = np.random.default_rng(seed)
    order = rng.permutation(m)
    held = max(1, round(0.1 * m))
    val_i, fit_i = subset[order[:held]], subset[order[held:]]
    mean, std = x_all[fit_i].mean(), x_all[fit_i].std()
    norm = lambda a: torch.from_numpy((a - mean) / std)
    x, y = norm(x_all[fit_i]), torch.from_numpy(y_all[fit_i])
    xv, yv = norm(x_all[val_i]), torch.from_numpy(y_all[val_i])
    xt = norm(images("t10k-images-idx3-ubyte.gz"))
    yt = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 32, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(x)
    round_epochs = max(1, math.ceil(10_000 / n))
    max_epochs = max(60, math.ceil(60 * 10_000 / n))
    best, best_epoch, best_state, since = -1.0, 0, None, 0
    t = time.perf_counter()
    epoch = 0
    while epoch < max_epochs and since < 5:
        epoch += 1
        for g in opt.param_groups:
            g["lr"] = lr * decay ** ((epoch - 1) // round_epochs)
        perm = torch.randperm(n)
        for i in range(0, n, 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss_fn(net(x[b]), y[b]).backward()
            opt.step()
        if epoch % round_epochs == 0:
            acc = accuracy(net, xv, yv)
            if acc > best:
                best, best_epoch, best_state, since = acc, epoch, copy.deepcopy(net.state_dict()), 0
            else:
                since += 1
    net.load_state_dict(best_state)
    test = accuracy(net, xt, yt)
    print(f"torch m={m} seed={seed} lr={lr} decay={decay}: test {test * 100:.2f}% held-out {best * 100:.2f}% "
          f"best epoch {best_epoch} of {epoch} ({time.perf_counter() - t:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
