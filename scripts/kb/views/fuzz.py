"""`kb fuzz`: the property-based tests of the Markdown views, longer than `make test` runs them.

tests/views/test_views_property.py generates pages from a grammar of every container, definition,
raw HTML block and fence shape the site meets, and checks that the views agree with the renderer
and that every check reads each page cleanly. `make test` runs a fixed set (derandomized, 250
examples per property); `kb fuzz` runs N examples (default 2,000) with a random seed, or the seed
given, and prints the seed so that a failure can be replayed: `kb fuzz --seed S`.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys

from kb.core.settings import ROOT

TESTS = ROOT / "tests" / "views" / "test_views_property.py"


def cli(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="kb fuzz", description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=2000, help="examples per property (default 2,000)")
    ap.add_argument("--seed", type=int, help="replay this seed (default: a random one, printed)")
    args = ap.parse_args(argv)
    if not TESTS.is_file():
        print(f"kb fuzz: {TESTS} is missing (run it from a checkout of the project)", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    print(f"kb fuzz: {args.examples:,} examples per property, seed {seed} (replay: kb fuzz --seed {seed})", flush=True)
    env = dict(os.environ, KB_FUZZ_EXAMPLES=str(args.examples), KB_FUZZ_SEED=str(seed))
    proc = subprocess.run([sys.executable, "-m", "pytest", str(TESTS), "-q", "-p", "no:cacheprovider", "-x"],
                          cwd=ROOT, env=env)
    return 0 if proc.returncode == 0 else 1
