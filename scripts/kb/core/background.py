"""A kb command in a second process, started early in a build and read when needed.

The site build is one Python process on one core. Work that needs only the Markdown sources
(whole-tree checks, translation state) runs beside it as `kb COMMAND --json ...`: on a
machine with two cores or more it costs the build no wall time. Engine-independent: hooks start
a `Background` and read its JSON; nothing here knows MkDocs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys


class BackgroundFailed(Exception):
    """The command died or printed something that is not JSON; the message says why."""


class Background:
    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.args: list[str] = []
        self._result = None
        self._pid = os.getpid()  # the process that started the command and alone may read it

    def start(self, *args: str) -> None:
        """Run `kb ARGS` now (a running one is abandoned)."""
        self.stop()
        self.args, self._result, self._pid = list(args), None, os.getpid()
        self.proc = subprocess.Popen([sys.executable, "-m", "kb", *self.args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    @property
    def mine(self) -> bool:
        """True in the process that started the command (a forked build process has a copy of it)."""
        return self._pid == os.getpid()

    @property
    def started(self) -> bool:
        return self.proc is not None or self._result is not None

    def result(self):
        """Wait for the command; its JSON output (read once, kept). Its stderr goes to ours."""
        if self._result is None:
            if self.proc is None:
                raise BackgroundFailed("not started")
            if self._pid != os.getpid():  # a forked build process: the pipe is its parent's to read
                raise BackgroundFailed(f"kb {' '.join(self.args[:1])} belongs to the parent process")
            proc, self.proc = self.proc, None
            out, err = proc.communicate()
            sys.stderr.write(err)  # the command's own notes (timing lines) in the build's log
            try:
                self._result = json.loads(out)
            except ValueError:
                last = (err or out).strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
                raise BackgroundFailed(f"kb {' '.join(self.args[:1])} did not finish: {last[0]}") from None
        return self._result

    def stop(self) -> None:
        """Abandon a running command (the build failed before reading it)."""
        if self.proc is not None and self._pid != os.getpid():
            self.proc = None  # the parent's command: not ours to stop
        if self.proc is not None:
            self.proc.kill()
            self.proc.communicate()
            self.proc = None
        self._result = None
