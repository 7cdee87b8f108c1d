"""Who holds a claim: a runner id that recovery can check for life.

A claim (``lease_owner``) is ``host:pid:start``: the host name, the process id and the process's
start time (from /proc, in clock ticks since boot). On the same host a claim whose process no longer
runs — or whose pid now belongs to a later process — is dead at once, so a crash is recovered on
the next start without waiting for the lease to run out (``kill -9`` then ``linkdeck worker``).
Claims from another host (a database on a shared disk) are judged by their lease alone.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from functools import cache


def _start_ticks(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None  # field 22 overall: starttime


@cache
def runner_id() -> str:
    """This process's claim id."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_ticks(os.getpid()) or '0'}"


def _alive_here(pid: int, start: str) -> bool:
    ticks = _start_ticks(pid)
    if ticks is not None:
        return ticks == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_is_live(owner: str | None, lease_until: datetime | None, now: datetime) -> bool:
    """Whether a ``sending`` row is still being sent by a live runner."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host == socket.gethostname() and pid_text.isdigit():
        if owner == runner_id():
            return True
        return _alive_here(int(pid_text), start)
    return lease_until is not None and lease_until > now
