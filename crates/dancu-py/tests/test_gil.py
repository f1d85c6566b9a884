"""Batches release the GIL and run on several threads."""

from __future__ import annotations

import os
import threading

import pytest

import dancu


def _native_threads() -> frozenset[str]:
    return frozenset(os.listdir("/proc/self/task"))


@pytest.mark.parametrize(
    "batch, copies",
    [
        (dancu.resolve_addresses, 6),  # ~30,000 addresses
        (dancu.convert_addresses, 40),  # ~200,000: it builds far fewer objects
    ],
)
def test_python_thread_progresses_and_workers_run_during_a_batch(corpus, batch, copies):
    texts = [r["input"] for r in corpus] * copies
    baseline = _native_threads()
    ticks = 0
    seen: set[str] = set()
    during = threading.Event()
    done = threading.Event()
    me = []

    def python_work():
        nonlocal ticks
        me.append(str(threading.get_native_id()))
        while not done.is_set():
            if during.is_set():
                ticks += 1  # Python bytecode: needs the GIL
                seen.update(_native_threads())

    t = threading.Thread(target=python_work)
    t.start()
    try:
        during.set()
        out = batch(texts, threads=2)
        during.clear()
    finally:
        done.set()
        t.join()
    assert len(out if isinstance(out, list) else out["status"]) == len(texts)
    assert ticks > 100, "the other Python thread did not run during the batch"
    workers = seen - baseline - set(me)
    assert len(workers) >= 2, f"expected 2 worker threads, saw {len(workers)}"


@pytest.mark.parametrize("batch", [dancu.resolve_addresses, dancu.convert_addresses])
def test_ctrl_c_stops_a_long_batch(corpus, batch):
    import gc
    import signal

    # ~500,000 addresses: many seconds of work, so the signal always lands
    # while the batch runs, however fast the resolver and the machine are.
    texts = [r["input"] for r in corpus] * 100
    # Python's own Ctrl-C handler, even where the suite was started with
    # SIGINT ignored (a background job of a non-interactive shell).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.2, signal.raise_signal, args=(signal.SIGINT,))
    timer.start()
    try:
        try:
            batch(texts)
        except KeyboardInterrupt:
            interrupted = True
        else:
            interrupted = False
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert interrupted, "the batch ran to its end despite SIGINT"
    assert gc.isenabled()
    # The module still works afterwards.
    assert dancu.resolve_addresses(texts[:3]) == [dancu.resolve_address(t) for t in texts[:3]]
