"""Print the Locust CSV as the table BENCHMARKS.md keeps."""

import csv
import sys


def main(stats_path: str, failures_path: str) -> None:
    with open(stats_path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    print(f"{'request':<34} {'n':>7} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7}")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        print(
            f"{row['Name'][:34]:<34} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Requests/s']):>7.1f}"
        )
    with open(failures_path, newline="") as fh:
        failures = list(csv.DictReader(fh))
    for failure in failures:
        print(f"FAILURE {failure['Method']} {failure['Name']}: {failure['Error']} x{failure['Occurrences']}")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"\nerrors: {total['Failure Count']} of {total['Request Count']} requests")


if __name__ == "__main__":
    main(*sys.argv[1:3])
