"""`python -m ogi.cli`, the same as the `ogi` command."""

from . import main

main()
