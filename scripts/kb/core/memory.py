"""How the C allocator of a build process treats memory that is freed and asked for again at once.

The content-safety gate parses every page with lexbor (kb.checks.rendered): about 0.8 MB of small
allocations a page, freed when the page is judged. With glibc's defaults, each free trims the
top of the heap back to the kernel and the next page faults the same memory in again: at 2 x 500
pages that was 200,000 minor page faults and 0.6 s of system time in the gate alone, 20 % of its
cost (measured with resource.getrusage; ``make bench`` reports the gate's share). Keeping freed
memory in the process removes the faults and changes no output.

``keep_freed_memory()`` sets, once per process and only where the C library is glibc:

- ``M_TRIM_THRESHOLD`` to 128 MiB: the top of the heap is returned to the kernel only when that
  much is free there, not at 128 KiB;
- ``M_MMAP_THRESHOLD`` to 32 MiB: setting the first turns off glibc's moving mmap threshold, so the
  threshold is fixed where glibc's moving one may end (32 MiB on 64-bit systems) and allocations of
  a large page's strings stay in the heap instead of being mapped and unmapped at each page.

Elsewhere (musl, macOS, Windows) it does nothing. The environment variables
``MALLOC_TRIM_THRESHOLD_`` / ``MALLOC_MMAP_THRESHOLD_``, or the same settings in ``GLIBC_TUNABLES``
(``glibc.malloc.trim_threshold``, ``glibc.malloc.mmap_threshold``), when set, win: nothing is
changed then.
"""
from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
TRIM_THRESHOLD = 128 << 20
MMAP_THRESHOLD = 32 << 20

_done: bool | None = None


def _glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError, AttributeError):  # no such name on this system
        return False


def keep_freed_memory() -> bool:
    """True when glibc now keeps freed memory (or already did, by this call or the environment)."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if not _glibc():
        return False
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") or os.environ.get("MALLOC_MMAP_THRESHOLD_") \
            or "malloc.trim_threshold" in tunables or "malloc.mmap_threshold" in tunables:
        _done = True  # the person running the build chose; their choice stands
        return True
    try:
        libc = ctypes.CDLL(None)  # the running process's own symbols: glibc's mallopt (no ldconfig lookup)
        _done = bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)) and bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        _done = False
    return _done
