"""`python -m kb COMMAND`: the same as the `kb` console command."""
import sys

from kb.cli import main

sys.exit(main())
