"""Time the `kennisagenda cluster` command itself (CSV in, CSV out) on N distinct questions.

    python bench/cluster_cli_scale.py [--rows 20000]

The questions are the synthetic ones of bench/dedupe_scale.py. Prints rows, wall seconds,
peak memory of the command (its process and children), and the number of clusters.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATA, load_dev  # noqa: E402
from dedupe_scale import synthesize  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    args = parser.parse_args()
    texts = synthesize(load_dev(args.data)[0], args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with src.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "text"])
            writer.writerows((f"q{i:06d}", t) for i, t in enumerate(texts))
        command = [str(Path(sys.executable).with_name("kennisagenda")), "cluster", str(src), "-o", str(dst)]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with dst.open(encoding="utf-8") as fh:
            clusters = {row["cluster_id"] for row in csv.DictReader(fh)}
    print(f"kennisagenda cluster: {args.rows} rows in {seconds:.1f} s, peak {peak:.0f} MiB, {len(clusters)} clusters")


if __name__ == "__main__":
    main()
