"""Ctrl-C and SIGTERM: stop cleanly, leave nothing half-written, say so in one line.

`kb` (scripts/kb/cli.py) installs a SIGTERM handler that raises `Terminated`, the twin of the
KeyboardInterrupt Python raises for SIGINT. Both are BaseExceptions, so every ``finally`` and
``with`` block on the way up runs: temporary site folders (``.site-*``), partial archives
(``dist/*.zip.<pid>.part``) and ``/tmp/kb-offline-*`` folders are removed where they were made,
child processes started with subprocess.run are killed, and the previous good ``site/`` and
zip are left as they were (they are only ever replaced by a rename once the new one is complete).
Then kb prints one line and exits 130 (SIGINT) or 143 (SIGTERM), as shells expect.

Work that runs in other threads (kb check runs each check in its own process) registers its
child processes with `track()`, so that they are stopped too.
"""
from __future__ import annotations

import signal
import subprocess
import threading

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Terminated(BaseException):
    """SIGTERM arrived (raised in the main thread by the handler `install()` sets)."""

    signum = signal.SIGTERM


_children: set = set()
# The signal handlers below run in the main thread between two of its bytecodes, maybe while that
# thread holds a lock: so they take only the re-entrant _lock, and the stop flag is a plain value
# (a threading.Event takes a lock of its own: a second signal during the first one's set() hung).
_lock = threading.RLock()
_stopping = [False]


def _on_sigterm(signum, frame):
    if _stopping[0]:  # a second signal while the first one is being handled: let the clean-up finish
        return
    stop_children()
    raise Terminated()


def _on_sigint(signum, frame):
    if _stopping[0]:
        return
    stop_children()
    raise KeyboardInterrupt()


def install() -> None:
    """SIGTERM raises Terminated, SIGINT KeyboardInterrupt, in the main thread; both first stop
    the tracked child processes (a signal sent to kb alone does not reach them)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _on_sigint)


def is_interrupt(exc: BaseException) -> bool:
    return isinstance(exc, (KeyboardInterrupt, Terminated))


def exit_code(exc: BaseException) -> int:
    return 143 if isinstance(exc, Terminated) else 130


def describe(exc: BaseException) -> str:
    return "SIGTERM" if isinstance(exc, Terminated) else "interrupted (SIGINT)"


def stopping() -> bool:
    """True once an interrupt arrived: worker threads should not start anything new."""
    return _stopping[0]


def track(proc):
    """`proc`: a subprocess.Popen, or anything with kill() (kb check's forked checks)."""
    with _lock:
        if _stopping[0]:
            proc.kill()
        _children.add(proc)
    return proc


def untrack(proc: subprocess.Popen) -> None:
    with _lock:
        _children.discard(proc)


def forget_children() -> None:
    """In a process forked from a kb that tracks children (kb check): start with none of them."""
    global _lock
    _lock = threading.RLock()  # the parent's lock may have been held by another of its threads
    _children.clear()
    _stopping[0] = False


def stop_children() -> None:
    """Kill every tracked child process (on SIGINT they got the signal from the terminal too)."""
    _stopping[0] = True
    with _lock:
        procs = list(_children)
    for proc in procs:
        try:
            proc.kill()
        except OSError:
            pass
