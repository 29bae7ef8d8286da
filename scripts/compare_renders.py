"""Two renders in a row must give the same notebook outputs, apart from cells tagged `timing`.

    python scripts/compare_renders.py FIRST/notebooks SECOND/notebooks

Compares every code cell's rich outputs (charts, tables, values) exactly, except how many of a
chart's runs came from the experiment cache (its `data-cached` attribute: all of them on the second
render, by design). Stream text (progress lines, which report elapsed seconds and cache hits) is
not compared.
"""
import re
import sys
from pathlib import Path

import nbformat


CACHED = re.compile(r' data-cached="\d+"')


def rich(cell):
    def same_but_cache(data):
        return {k: CACHED.sub("", v) if isinstance(v, str) else v for k, v in dict(data).items()}
    return [(o.output_type, same_but_cache(o.get("data", {}))) for o in cell.get("outputs", [])
            if o.output_type in ("display_data", "execute_result")]


def differences(a_dir: Path, b_dir: Path) -> list:
    out = []
    names = sorted(p.name for p in a_dir.glob("*.ipynb"))
    if names != sorted(p.name for p in b_dir.glob("*.ipynb")):
        return [f"different notebooks: {names} vs {sorted(p.name for p in b_dir.glob('*.ipynb'))}"]
    for name in names:
        a, b = nbformat.read(a_dir / name, 4), nbformat.read(b_dir / name, 4)
        code = [(i, ca, cb) for i, (ca, cb) in enumerate(zip(a.cells, b.cells)) if ca.cell_type == "code"]
        for k, (i, ca, cb) in enumerate(code, 1):
            if "timing" in ca.metadata.get("tags", []):
                continue
            if rich(ca) != rich(cb):
                out.append(f"{name}: code cell {k} (cell index {i}) differs between the two renders")
    return out


def main() -> int:
    diffs = differences(Path(sys.argv[1]), Path(sys.argv[2]))
    if diffs:
        print("renders differ:\n" + "\n".join(diffs), file=sys.stderr)
        return 1
    print("two renders in a row: same outputs (timing cells excepted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
