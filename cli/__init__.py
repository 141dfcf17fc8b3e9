"""The one command line, `python -m data ...`: a click tree whose commands call the domain services."""
