"""Who is mailed about an alert: OPS_ALERT_RECIPIENTS "kind=addr,addr;agency:BCT=addr;*=addr"."""
from __future__ import annotations

import re

ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+$")
SELECTOR = re.compile(r"^(\*|[a-z]+|agency:[A-Za-z0-9_]+)$")


def parse(text: str) -> dict[str, list[str]]:
    """Selector -> addresses; raises ValueError naming the part that is not acceptable."""
    out: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        selector, eq, addresses = part.partition("=")
        selector = selector.strip()
        if not eq or not SELECTOR.match(selector):
            raise ValueError(f"'{part[:60]}': expected KIND=addr,addr or agency:CODE=addr or *=addr")
        if selector.startswith("agency:"):
            selector = "agency:" + selector[7:].upper()
        for address in filter(None, (a.strip() for a in addresses.split(","))):
            if not ADDRESS.match(address):
                raise ValueError(f"'{address[:60]}' is not an e-mail address")
            out.setdefault(selector, [])
            if address not in out[selector]:
                out[selector].append(address)
    return out


def for_alert(table: dict[str, list[str]], kind: str, agency: str) -> list[str]:
    """Everyone for this kind, this agency and '*', each address once, in that order."""
    out: list[str] = []
    for selector in (kind, f"agency:{agency.upper()}" if agency else "", "*"):
        for address in table.get(selector, []):
            if address not in out:
                out.append(address)
    return out
