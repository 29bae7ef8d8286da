"""linfa vs scikit-learn on the same Fashion-MNIST rows, side by side.

    python -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn numpy
    /tmp/skl/bin/python bench/compare_baselines.py          # BENCH_SIZES=1000,4000 to shorten

Runs `cargo bench --bench baselines` (linfa; writes the row indices, the parameters it used and
its results), then fits scikit-learn's LogisticRegression (lbfgs) and SVC (rbf, one-vs-one) with
the same parameters on exactly those rows, standardised the same way, and prints times and test
accuracies.
linfa-logistic's `alpha` penalises (alpha/2)·‖W‖² added to the summed log-loss, which is
scikit-learn's C = 1/alpha.
"""
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "fashion-mnist"


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load():
    xtr = idx(DATA / "train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    ytr = idx(DATA / "train-labels-idx1-ubyte.gz", 8)
    xte = idx(DATA / "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    yte = idx(DATA / "t10k-labels-idx1-ubyte.gz", 8)
    return xtr, ytr, xte, yte


def main():
    env = dict(os.environ)
    subprocess.run(["cargo", "bench", "--bench", "baselines"], cwd=ROOT, check=True, env=env)
    xtr, ytr, xte, yte = load()
    rows = []
    for path in sorted((ROOT / "target" / "bench-baselines").glob("m*.json"), key=lambda p: int(p.stem[1:])):
        r = json.loads(path.read_text())
        tr, te = np.array(r["train_indices"]), np.array(r["test_indices"])
        x, y, xt, yt = xtr[tr], ytr[tr], xte[te], yte[te]
        mean, std = x.mean(0), x.std(0)
        std[std <= 1e-6] = 1.0
        x, xt = (x - mean) / std, (xt - mean) / std
        t = time.perf_counter()
        lp = r["logistic"]["params"]
        lr = LogisticRegression(C=1.0 / lp["alpha"], max_iter=lp["max_iterations"]).fit(x, y)
        lt = time.perf_counter() - t
        rows.append(("logistic", r["m"], r["logistic"]["seconds"], r["logistic"]["accuracy"], lt, lr.score(xt, yt)))
        if "seconds" in r["svm"]:
            t = time.perf_counter()
            svc = SVC(C=r["svm"]["c"], kernel="rbf", gamma=r["svm"]["gamma"], tol=1e-3).fit(x, y)
            st = time.perf_counter() - t
            rows.append(("RBF SVM", r["m"], r["svm"]["seconds"], r["svm"]["accuracy"], st, svc.score(xt, yt)))
        else:
            print(f"m = {r['m']}: SVM {r['svm']['not_run']}")
    print(f"\n{'model':<10} {'m':>6} {'linfa s':>9} {'sklearn s':>10} {'time ratio':>10} {'linfa acc':>10} {'sklearn acc':>12} {'diff':>7}")
    for name, m, ls, la, ss, sa in rows:
        print(f"{name:<10} {m:>6} {ls:9.2f} {ss:10.2f} {ls / ss:10.1f} {la * 100:9.2f}% {sa * 100:11.2f}% {(la - sa) * 100:+6.2f}")


if __name__ == "__main__":
    sys.exit(main())
