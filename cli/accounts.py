"""Commands of the accounts side (ported from argparse)."""
from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
