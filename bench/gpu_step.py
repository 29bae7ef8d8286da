"""The lesson's nets on a CUDA GPU with PyTorch: what one training step costs there, and the floor
that kernel launches set under it. Writes the CSV that chapter 2 reads (`data/gpu/h200-steps.csv`).

    python3 bench/gpu_step.py [out.csv] [run]

Appends one row per net to `out.csv` (writing its header when the file is new), numbered `run`
(default 1): the shipped file holds two runs, minutes apart, on one H200.

Measures, on the first CUDA device:
- the launch latency: a one-element `add_` launched 20,000 times back to back, then one
  synchronisation; the time over the count is what each kernel launch costs the host, the rate
  no stream of small kernels can beat;
- for each net of chapter 2 (784-32-10, 784-256-128-10, 784-512-256-128-10, ReLU) and chapter 1's
  LeNet (5 × 5 convolutions of 16 and 32 channels, 2 × 2 max pooling, a dense layer of 128):
  Adam (lr 1e-3), cross-entropy, batch 128, FP32, the 60,000 Fashion-MNIST images on the GPU;
  the CUDA kernels one step launches (counted by the profiler), the median of three timed epochs
  run eagerly, and the same step replayed as one captured CUDA graph (one launch a step).
"""
import csv
import gzip
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

DATA = Path(__file__).resolve().parent.parent / "data" / "fashion-mnist"
BATCH = 128


def idx(name, offset):
    with gzip.open(DATA / name, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def mlp(hidden):
    sizes = [784] + hidden
    layers = [torch.nn.Flatten()]
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], 10))


def lenet():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 32, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )


NETS = {
    "small NN (32)": lambda: mlp([32]),
    "medium NN (256-128)": lambda: mlp([256, 128]),
    "large NN (512-256-128)": lambda: mlp([512, 256, 128]),
    "LeNet": lenet,
}


def sync():
    torch.cuda.synchronize()


def launch_latency(n=20_000):
    a = torch.zeros(1, device="cuda")
    for _ in range(1_000):
        a.add_(1)
    sync()
    t = time.perf_counter()
    for _ in range(n):
        a.add_(1)
    sync()
    return (time.perf_counter() - t) / n


def eager(net, x, y, epochs=3):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss_fn(net(xb), yb).backward()
        opt.step()

    for i in range(20):
        step(x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH])
    sync()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
        step(x[:BATCH], y[:BATCH])
        sync()
    kernels = sum(1 for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA)
    return kernels, seconds_a_step(lambda b: step(x[b], y[b]), len(x), epochs)


def seconds_a_step(step, n, epochs):
    """The median over `epochs` shuffled epochs of n examples of the seconds one `step(batch
    indices)` takes, the GPU synchronised before and after each epoch."""
    times = []
    steps = n // BATCH
    for _ in range(epochs):
        perm = torch.randperm(n, device="cuda")
        sync()
        t = time.perf_counter()
        for i in range(steps):
            step(perm[i * BATCH:(i + 1) * BATCH])
        sync()
        times.append((time.perf_counter() - t) / steps)
    return statistics.median(times)


def graphed(net, x, y, epochs=3):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, capturable=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    static_x = x[:BATCH].clone()
    static_y = y[:BATCH].clone()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            opt.zero_grad(set_to_none=True)
            loss_fn(net(static_x), static_y).backward()
            opt.step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        loss_fn(net(static_x), static_y).backward()
        opt.step()

    def replay(b):
        static_x.copy_(x[b])
        static_y.copy_(y[b])
        graph.replay()

    return seconds_a_step(replay, len(x), epochs)


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("gpu_steps.csv")
    run = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    torch.manual_seed(0)
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255).cuda()
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)).cuda()
    latency = statistics.median(launch_latency() for _ in range(3))
    device = torch.cuda.get_device_name(0)
    print(f"{device}, torch {torch.__version__}: launch latency {latency * 1e6:.2f} µs", flush=True)
    rows = []
    for name, make in NETS.items():
        torch.manual_seed(0)
        kernels, per_step = eager(make().cuda(), x, y)
        torch.manual_seed(0)
        per_step_graph = graphed(make().cuda(), x, y)
        print(f"{name}: {kernels} kernels a step, eager {per_step * 1e6:.1f} µs a step, "
              f"one CUDA graph {per_step_graph * 1e6:.1f} µs a step, "
              f"floor {kernels * latency * 1e6:.1f} µs", flush=True)
        rows.append((name, kernels, per_step, per_step_graph))
    new = not out.exists()
    with out.open("a", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if new:
            w.writerow(["run", "model", "kernels_per_step", "seconds_per_step_eager", "seconds_per_step_graph",
                        "launch_latency_seconds", "device", "torch", "batch", "date"])
        for name, kernels, per_step, per_step_graph in rows:
            w.writerow([run, name, kernels, f"{per_step:.4e}", f"{per_step_graph:.4e}", f"{latency:.4e}",
                        device, torch.__version__, BATCH, time.strftime("%Y-%m-%d")])


if __name__ == "__main__":
    main()
