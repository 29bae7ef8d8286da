"""Writes the evcxr kernel spec into the venv, where its Jupyter looks first."""
import json
import os
import sys

evcxr, kernel_dir = sys.argv[1], sys.argv[2]
os.makedirs(kernel_dir, exist_ok=True)
spec = {
    "argv": [evcxr, "--control_file", "{connection_file}"],
    "display_name": "Rust",
    "language": "rust",
    "interrupt_mode": "message",
    # evcxr builds cells and dependencies in its dev profile at opt-level 2 but with debug
    # assertions and overflow checks on, which slow ndarray's and linfa's inner loops several
    # times (an SVM fit 6x); the kernel turns them off, as a release build does.
    "env": {
        "CARGO_PROFILE_DEV_DEBUG_ASSERTIONS": "false",
        "CARGO_PROFILE_DEV_OVERFLOW_CHECKS": "false",
    },
}
with open(os.path.join(kernel_dir, "kernel.json"), "w") as f:
    json.dump(spec, f, indent=1)
print(f"setup: kernel 'rust' -> {evcxr}")
