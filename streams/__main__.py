"""`python -m streams relay|simulate`: the command tree is in cli/streams.py."""
import sys

from cli.streams import main

if __name__ == "__main__":
    sys.exit(main())
