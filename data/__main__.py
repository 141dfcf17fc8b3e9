"""`python -m data ...`: the command line (its tree is in cli/)."""
import sys

from cli.main import main

if __name__ == "__main__":
    sys.exit(main())
