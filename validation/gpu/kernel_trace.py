"""Kernel trace of a timed case: which CUDA kernels one run launches and how long each
runs on the device (CUPTI, through ``torch.profiler``).

The harness's CUDA events time the whole interval between two event records; for a
small kernel that interval holds more than the kernel (event overhead, launch, and any
extra kernels the library picks, e.g. a split-K GEMV plus its reduce kernel).  The
trace records, per case, the kernels of one run and their device durations, so that
``median_us - device_us_per_run`` is what the events add around the device work.

The harness traces in a second pass, after every case has been timed (the profiler
never runs while a timed run could see it: Kineto may leave CUPTI attached after a
session, which slows later launches).  Each traced case gets its own profiler session:

    pads (tiny adds)  | spacer, run 0 | spacer, run 1 | spacer, run 2

The spacer is the harness's GPU sleep (``torch.cuda._sleep``), the same spacing as the
timed runs; it also marks where each run starts.  The pads absorb the head records of a
session, which some CUPTI versions corrupt (one more per session; pytorch issue
#192021); everything before the first spacer is dropped.

Everything above ``profile_runs`` is torch-free and unit-tested with plain records.
"""

from __future__ import annotations

import math
import statistics
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

NAME_CHARS = 120  # kernel names are truncated to this many characters in the note
SPIN_KERNEL = "spin_kernel"  # ATen's torch.cuda._sleep kernel (aten/src/ATen/cuda/Sleep.cu)


def _duration(x) -> Optional[float]:
    """A device duration in us, or None when missing, not a number or negative."""
    try:
        d = float(x)
    except (TypeError, ValueError):
        return None
    return d if math.isfinite(d) and d >= 0 else None


def _num(x: float):
    """An int when x is integral (calls per run), else x rounded to 3 decimals."""
    return int(x) if float(x).is_integer() else round(x, 3)


def split_runs(events: Iterable[Tuple[str, object]],
               is_spacer: Callable[[str], bool]) -> Tuple[List[Tuple[str, object, int]], int]:
    """Device events ``(name, duration_us)`` in device order -> records ``(name,
    duration_us, run)`` and the number of runs.  Each spacer starts a run; events
    before the first spacer (pads) and the spacers themselves are dropped."""
    records: List[Tuple[str, object, int]] = []
    run = -1
    for name, dur in events:
        if is_spacer(name):
            run += 1
        elif run >= 0:
            records.append((name, dur, run))
    return records, run + 1


def kernel_note(records: Sequence[Tuple[str, object, int]], n_runs: int) -> Dict[str, object]:
    """The env.json note of one traced case from records ``(name, duration_us, run)``
    in launch order, run in [0, n_runs).

    ``kernels``: one entry per distinct kernel name in order of first launch, with
    ``calls_per_run`` (calls / n_runs) and ``device_us`` (median duration of one call,
    None if no call has one); ``kernels_per_run`` (median over runs of the calls in a
    run); ``device_us_per_run`` (median over runs of the summed durations; runs with a
    missing duration left out, None if every run has one); ``same_kernels_each_run``;
    ``missing_durations`` when some are missing.  No records: ``kernels_error``."""
    if n_runs < 1:
        raise ValueError(f"n_runs must be >= 1, got {n_runs}")
    if not records:
        return {"kernels_error": f"no device kernel recorded in {n_runs} profiled runs",
                "trace_runs": n_runs}
    order: List[str] = []
    durs: Dict[str, List[float]] = {}
    calls: Dict[str, int] = {}
    per_run_names: List[List[str]] = [[] for _ in range(n_runs)]
    per_run_sum: List[Optional[float]] = [0.0] * n_runs
    missing = 0
    for name, dur, run in records:
        if not 0 <= run < n_runs:
            raise ValueError(f"record {name!r} has run {run}, outside [0, {n_runs})")
        if name not in calls:
            order.append(name)
            calls[name] = 0
            durs[name] = []
        calls[name] += 1
        per_run_names[run].append(name)
        d = _duration(dur)
        if d is None:
            missing += 1
            per_run_sum[run] = None
        else:
            durs[name].append(d)
            if per_run_sum[run] is not None:
                per_run_sum[run] += d
    kernels = [{"name": n[:NAME_CHARS], "calls_per_run": _num(calls[n] / n_runs),
                "device_us": round(statistics.median(durs[n]), 3) if durs[n] else None}
               for n in order]
    sums = [s for s in per_run_sum if s is not None]
    note: Dict[str, object] = {
        "kernels": kernels,
        "kernels_per_run": _num(statistics.median(len(r) for r in per_run_names)),
        "device_us_per_run": round(statistics.median(sums), 3) if sums else None,
        "trace_runs": n_runs,
        "same_kernels_each_run": all(r == per_run_names[0] for r in per_run_names),
    }
    if missing:
        note["missing_durations"] = missing
    return note


def note_from_events(events: Sequence[Tuple[str, object]], n_runs: int,
                     is_spacer: Callable[[str], bool]) -> Dict[str, object]:
    """split_runs + kernel_note; a run count other than n_runs sets kernels_error."""
    records, seen = split_runs(events, is_spacer)
    note = kernel_note(records, max(seen, 1))
    if seen != n_runs:
        note["kernels_error"] = (f"{seen} run markers (GPU sleeps) in the trace, {n_runs} "
                                 "expected; kernels may be missing")
    return note


def spacer_matcher(probe_name: Optional[str]) -> Callable[[str], bool]:
    """Spacer test: the name seen when a lone GPU sleep was traced, else ATen's
    spin_kernel by substring."""
    if probe_name:
        return lambda name: name == probe_name
    return lambda name: SPIN_KERNEL in name


def _median(xs: List[float]) -> Optional[float]:
    return statistics.median(xs) if xs else None


def summary_line(rows: List[Dict[str, str]], notes: Dict[str, dict],
                 calibration: Optional[dict], trace_info: Optional[dict]) -> str:
    """One line for the end of the harness summary: cases traced, and over the gemv
    cases the median of (event median - device time per run)."""
    info = trace_info or {}
    if not info.get("enabled"):
        return f"kernel trace: off ({info.get('reason', 'not run')})"
    timed = [r for r in rows if not r.get("error") and _duration(r.get("median_us")) is not None]
    traced = [cid for cid, n in notes.items() if isinstance(n, dict) and n.get("kernels")]
    errs = [cid for cid, n in notes.items() if isinstance(n, dict) and n.get("kernels_error")]
    line = f"kernel trace: {len(traced)} of {len(timed)} timed cases traced"
    if errs:
        line += f" ({len(errs)} with kernels_error)"
    gaps, counts = [], []
    for r in timed:
        n = notes.get(r.get("case_id", ""))
        if r.get("kernel_class") != "gemv" or not isinstance(n, dict) or n.get("kernels_error"):
            continue
        dev = _duration(n.get("device_us_per_run"))
        if dev is not None:
            gaps.append(float(r["median_us"]) - dev)
            counts.append(float(n.get("kernels_per_run", 0)))
    if gaps:
        line += (f"; gemv ({len(gaps)}): event median - device time per run, median "
                 f"{_median(gaps):.2f} us; kernels per run, median {_median(counts):g}")
    cal = calibration or {}
    floor, dev = _duration(cal.get("tiny_kernel_floor_us")), _duration(
        cal.get("tiny_kernel_device_us"))
    if floor is not None and dev is not None:
        line += f"; tiny add: floor {floor:.2f} us - device {dev:.2f} us = {floor - dev:.2f} us"
    if info.get("stopped"):
        line += f"; stopped: {info['stopped']}"
    return line


# ---------------------------------------------------------------------------
# torch glue (GPU only)
# ---------------------------------------------------------------------------


def device_events(prof, device_type=None) -> List[Tuple[str, float]]:
    """(name, duration_us) of the device events of a finished profiler session, in
    device order.  ``prof.events()`` (FunctionEvent, times in us from ns since torch
    2.1) keeps the device records (kernels, memcpy, memset) as events whose
    ``device_type`` is CUDA."""
    if device_type is None:
        from torch.autograd import DeviceType
        device_type = DeviceType.CUDA
    evs = [e for e in prof.events() if getattr(e, "device_type", None) == device_type]
    evs.sort(key=lambda e: (e.time_range.start, e.time_range.end))
    return [(e.name, e.time_range.end - e.time_range.start) for e in evs]


def profile_runs(torch, fn, n_sets: int, first_set: int, runs: int, spacer_cycles: int,
                 n_pad: int) -> List[Tuple[str, float]]:
    """Device events of ``runs`` runs of fn(set) under one CUDA-only profiler session,
    each run after a GPU sleep of spacer_cycles, the session opened by n_pad tiny adds."""
    from torch.profiler import ProfilerActivity, profile
    pad = torch.zeros(1, device="cuda")
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(n_pad):
            pad.add_(1)
        for i in range(runs):
            torch.cuda._sleep(spacer_cycles)
            fn((first_set + i) % n_sets)
        torch.cuda.synchronize()
    return device_events(prof)


def probe_spacer(torch, spacer_cycles: int) -> List[Tuple[str, float]]:
    """Device events of one lone GPU sleep (its kernel name marks the runs)."""
    from torch.profiler import ProfilerActivity, profile
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        torch.cuda._sleep(spacer_cycles)
        torch.cuda.synchronize()
    return device_events(prof)
