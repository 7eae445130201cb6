"""Run every benchmark (tests/bench/bench_*.py) and print their reports.

Each benchmark module exposes ``run() -> list[str]``. Figures are ratios
against a baseline measured in the same run, so they mean the same on any
machine.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


def main() -> int:
    """Run the benchmarks named on the command line, or all of them."""
    wanted = set(sys.argv[1:])
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        for line in module.run():
            print(f"   {line}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
