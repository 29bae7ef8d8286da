"""Fails when a committed notebook carries outputs or execution counts (strip with `make strip`)."""
import json
import sys

bad = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("outputs") or cell.get("execution_count"):
            bad.append(f"{path}: cell {i} has outputs or an execution count")
if bad:
    print("\n".join(bad))
    print("Run `make strip` to remove outputs before committing.")
    sys.exit(1)
print(f"notebooks stripped: {len(sys.argv) - 1} checked")
