#!/usr/bin/env python3
"""How much this machine charges for fresh memory, printed beside every suite's figures.

On some VMs the guest hands freed memory back to the host at once (virtio free page reporting,
see /sys/module/page_reporting/parameters/), and touching it again costs a host fault: a tool that
allocates 1-2 GB per run (the Python references) then pays 0.5-9 s of system time per GB, a tool in
bounded memory almost nothing. The ratio of two tools measured in the same run is only comparable
across runs when this figure is too. The probe maps VMPROBE_GB (default 3) GB of new anonymous
memory one GB at a time, writes one byte per 4 KiB page, and reports seconds per GB for each GB
(wall; the work is all page faults): on this project's VM the first 2-3 GB cost ~0.5 s/GB and the
ones after 1-9 s/GB, depending on how much memory the host still backs.
"""
import mmap
import os
import time

GB = int(os.environ.get("VMPROBE_GB", "3"))


def probe(gb=GB):
    """Seconds to fault in each successive GB of new memory, all of it held until the end."""
    held, costs = [], []
    for _ in range(gb):
        t0 = time.perf_counter()
        m = mmap.mmap(-1, 1 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        for off in range(0, 1 << 30, 4096):
            m[off] = 1
        costs.append(time.perf_counter() - t0)
        held.append(m)
    for m in held:
        m.close()
    return costs


def describe():
    p = "/sys/module/page_reporting/parameters/"
    extra = ""
    try:
        ms = open(p + "min_free_ms").read().strip()
        order = open(p + "page_reporting_order").read().strip()
        extra = f"; free page reporting: min_free_ms={ms}, order={order}"
    except OSError:
        pass
    costs = ", ".join(f"{c:.2f}" for c in probe())
    return f"fresh memory: {costs} s for each successive GB of new pages{extra}"


if __name__ == "__main__":
    print(describe(), flush=True)
