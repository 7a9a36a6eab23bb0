#!/usr/bin/env python3
"""Shim for `python scripts/kb.py COMMAND`: the `kb` command of the installed package (scripts/kb/)."""
import sys

from kb.cli import main

sys.exit(main())
