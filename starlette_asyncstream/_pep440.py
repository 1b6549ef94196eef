"""A small PEP 440 parser: just enough to order Starlette releases.

Starlette 0.12.0b3 reports ``__version__ = "0.12.0.b3"``; a naive
``tuple(int(x) for x in v.split("."))`` crashes on it, and a string
comparison puts ``0.12.0b3`` after ``0.12.0``. We need the real PEP 440
order (dev < pre-release < release < post-release) and nothing more, so we
parse it here rather than depending on ``packaging`` at import time.
"""

import re
from typing import TYPE_CHECKING, List, Optional, Tuple

__all__ = ["parse_version"]

_PATTERN_TEXT = r"""
    ^\s*v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?:-(?P<post_implicit>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n>[0-9]+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?
    \s*$
    """
_pattern = None  # compiled on first use: most versions never need it (see below)
_DIGITS = frozenset("0123456789")

# PEP 440 spellings of the three pre-release phases, mapped to their order.
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}

if TYPE_CHECKING:  # pragma: no mutate (annotations are strings: no typing aliases built at import)
    # A key compares like the version it was made from.
    VersionKey = Tuple[int, Tuple[int, ...], Tuple[int, ...], Tuple[int, ...], Tuple[int, ...]]


def _release(parts: "List[str]") -> "Tuple[int, ...]":
    release = tuple(int(part) for part in parts)
    while len(release) > 1 and release[-1] == 0:  # 0.14 == 0.14.0
        release = release[:-1]
    return release


def parse_version(text: str) -> "Optional[VersionKey]":
    """Return a sortable key for a PEP 440 version, or None if it is not one."""
    # Fast path for plain X.Y.Z, every release on the fixed side: the import
    # runs this once, and compiling the full pattern would cost more than
    # the rest of the no-op import together.
    parts = text.split(".")
    if all(part and _DIGITS.issuperset(part) for part in parts):
        return (0, _release(parts), (2,), (0,), (1,))
    # And for the table's own pre-releases ("0.12.0b3"), which a release inside
    # a range compares with on every import.
    last = parts[-1]  # pragma: no mutate (another part: the full pattern answers the same, slower)
    head = last.rstrip("0123456789")
    letters = head.lstrip("0123456789")
    digits, number = head[:len(head) - len(letters)], last[len(head):]
    if letters in ("a", "b", "rc") and digits and number and all(
            part and _DIGITS.issuperset(part) for part in parts[:-1]):
        return (0, _release(parts[:-1] + [digits]), (1, _PRE_RANK[letters], int(number)), (0,), (1,))
    global _pattern
    if _pattern is None:
        _pattern = re.compile(_PATTERN_TEXT, re.IGNORECASE | re.VERBOSE)
    m = _pattern.match(text)
    if m is None:
        return None
    release = _release(m.group("release").split("."))
    post_n = m.group("post_implicit") or m.group("post_n")
    has_post = post_n is not None or m.group("post_l") is not None
    has_dev = m.group("dev_l") is not None
    pre = ()  # type: Tuple[int, ...]
    if m.group("pre_l"):
        pre = (1, _PRE_RANK[m.group("pre_l").lower()], int(m.group("pre_n") or 0))
    elif has_dev and not has_post:
        pre = (0,)  # pragma: no mutate (1.0.dev1 sorts before 1.0a1: (1,) or (-1,) do too, as prefixes)
    else:
        pre = (2,)  # a final release sorts after its pre-releases
    post = (1, int(post_n or 0)) if has_post else (0,)
    dev = (0, int(m.group("dev_n") or 0)) if has_dev else (1,)
    return (int(m.group("epoch") or 0), release, pre, post, dev)
