"""`ogi` and `python -m ogi`: the command line, loaded inside the one guard against Ctrl-C
(pressed while the modules load, it printed a traceback)."""

import sys


def main() -> None:
    try:
        from ogi.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("已中止。\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
