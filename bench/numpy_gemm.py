"""NumPy's matrix product (OpenBLAS's SGEMM in NumPy's wheels) at the shapes of `examples/gemm.rs`,
for a side-by-side figure; run with OPENBLAS_NUM_THREADS set to the thread count.

    python3 bench/numpy_gemm.py <threads>

Prints one line per product: its shape, the layout of its operands (`t` for a transposed view) and
its GFLOP/s, the median of five timings of enough repetitions to take about 0.1 s.
"""
import sys
import time

import numpy as np

# (m, k, n, a transposed, b transposed), as in examples/gemm.rs
SHAPES = [
    (128, 784, 256, False, False), (784, 128, 256, True, False), (128, 256, 128, False, False),
    (256, 128, 128, True, False), (128, 128, 256, False, True), (128, 784, 512, False, False),
    (784, 128, 512, True, False), (128, 512, 256, False, False), (128, 256, 512, False, True),
    (73728, 25, 16, False, False), (8192, 400, 32, False, False), (400, 8192, 32, True, False),
    (8192, 32, 400, False, True), (25, 73728, 16, True, False),
]


def fill(r, c):
    i, j = np.indices((r, c))
    return (((i * 7 + j * 3) % 17) / 17.0 - 0.5).astype(np.float32)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    for m, k, n, ta, tb in SHAPES:
        a = fill(k, m).T if ta else fill(m, k)
        b = fill(n, k).T if tb else fill(k, n)
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * k * n
        reps = int(np.ceil(2e10 / flops))
        times = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(reps):
                np.matmul(a, b, out=c)
            times.append((time.perf_counter() - t) / reps)
        times.sort()
        layout = ("t" if ta else "n") + ("t" if tb else "n")
        print(f"numpy {np.__version__} {threads} threads: gemm {m} {k} {n} {layout}: {flops / times[2] / 1e9:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
