"""Benchmarks: every speed target of docs/performance.md, measured on a synthetic corpus.

    python -m benchmarks                  everything, 1x / 3x / 10x sizes (about a minute)
    python -m benchmarks --quick          target sizes only, fewer runs (under a minute, cold)
    python -m benchmarks --json           the same as JSON (machine, samples, CPU times)
    python -m benchmarks --only search frequencies

The corpus (:mod:`benchmarks.corpus`) is generated from a fixed seed: interview transcripts with
speaker turns, emoji and non-Latin passages; a 40-code, two-level codebook; codings from a
sentence to a paragraph by two coders, overlapping; 60 cases with five typed attributes. Built
projects are cached in ``build/benchmark-cache`` (``CODER_BENCH_CACHE`` moves it).

What is timed is what the user waits for: window work runs on Qt's offscreen platform and stops
only after the widget has painted (:mod:`benchmarks.gui`); start-up runs ``python -m coder`` as
a new process reopening the last project until the window reports it has painted; peak memory
and the Word report run in processes of their own (:mod:`benchmarks.probe`). Each row is the
median of several runs with the min–max spread, plus the process's CPU time: on a shared
machine, wall time well above CPU time means waiting for a core or the disk. The first row, a
pure-Python loop, scales the table to another machine.
"""
