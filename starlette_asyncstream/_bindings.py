"""Bindings, switches and patches: where a replacement lives, the original it
keeps, and the flag it reads on every call (gevent keeps such a registry too);
and the helpers a room (``fixes/``) builds its targets and checks with.

Nothing here imports anything: ``_core`` loads it with the table, on every
release.
"""

from typing import TYPE_CHECKING, Any, Dict, List, Tuple

if TYPE_CHECKING:  # pragma: no mutate (a name for mypy: _core imports _ranges anyway)
    from ._ranges import Fix


class LayoutError(Exception):
    """The running Starlette (or sse-starlette) does not look like its release range says."""


class Switch:
    """Read by the replacements on every call; off means "behave as the original"."""

    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = False  # pragma: no mutate (install() turns it on as it puts the replacement in place)


def _chain(obj: Any) -> List[Any]:
    """obj and everything reachable through ``__wrapped__`` (bounded: no cycles)."""
    seen = [obj]
    for _ in range(64):  # pragma: no mutate (a bound for objects that make a new __wrapped__ per read)
        obj = getattr(obj, "__wrapped__", None)
        if obj is None or any(obj is s for s in seen):  # pragma: no mutate (None kept in is never ours)
            break  # pragma: no mutate (going on to the bound adds nothing: None and the seen are not kept)
        seen.append(obj)
    return seen


class Binding:
    def __init__(self, owner: Any, attribute: str, original: Any, replacement: Any) -> None:
        self.owner = owner
        self.attribute = attribute
        self.original = original
        self.replacement = replacement

    @property
    def where(self) -> str:
        return "{}.{}".format(getattr(self.owner, "__qualname__", self.owner.__name__), self.attribute)

    def live(self) -> Any:
        # A class attribute is read from the class __dict__ so that a method
        # is not bound and an inherited one does not count as ours.
        # (every room puts plain functions on classes: getattr would read them the same)
        if isinstance(self.owner, type):  # pragma: no mutate
            return vars(self.owner).get(self.attribute)
        return getattr(self.owner, self.attribute, None)

    def state(self) -> str:
        """'ours' (our object is the attribute), 'stacked' (another fix of ours wrapped it:
        debug-page-type over debug-page, the FastAPI rows over each other), 'under' (another
        library wrapped it), or 'absent'."""
        live = self.live()
        if live is self.replacement:
            return "ours"
        chain = _chain(live)
        for depth, obj in enumerate(chain):
            if obj is self.replacement:
                above = chain[:depth]
                ours = all(any(link is b.replacement for b in BINDINGS.values()) for link in above)
                return "stacked" if ours else "under"
        return "absent"


# (fix name, id(owner), attribute) -> Binding; holds the owner, so ids stay
# unique. Two fixes may replace one attribute (debug-page and
# debug-page-type both give starlette.middleware.errors its traceback): the
# later one wraps the earlier one's replacement, and uninstall() undoes them
# in the reverse order.
BINDINGS: "Dict[Tuple[str, int, str], Binding]" = {}
SWITCHES: "Dict[str, Switch]" = {}


def unwrap_ours(obj: Any) -> Any:
    """The release's own object under our replacements: through each of ours (several may
    be stacked), and through another library's wrapper put on top of one of ours (which
    uninstall() leaves in place), so that a room's checks read the release's code."""
    # (finite: a replacement's original was there before it, so the chain never loops back)
    while True:
        binding = next((b for link in _chain(obj) for b in BINDINGS.values() if link is b.replacement), None)
        if binding is None:
            return obj
        obj = binding.original


def is_ours_elsewhere(obj: Any, owner: Any) -> bool:
    """Is obj a replacement of ours that lives on another owner (a by-name
    reference taken after our fix of the module it came from)?"""
    return any(obj is b.replacement and b.owner is not owner for b in BINDINGS.values())


def code_names(function: Any) -> "Tuple[str, ...]":
    """The global and attribute names a function's code uses (what rooms check a release's code by), or ()."""
    return tuple(getattr(getattr(unwrap_ours(function), "__code__", None), "co_names", ()))


def own_attribute(module: Any, class_name: str, attribute: str) -> "Tuple[Any, Any]":
    """(the class, its own attribute as it is now): inherited ones do not count."""
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise LayoutError("{}.{} is missing or not a class".format(module.__name__, class_name))
    current = vars(cls).get(attribute)
    if current is None:
        raise LayoutError("{} defines no {} of its own".format(class_name, attribute))
    return cls, current


class Patch:
    """The bindings of one fix and the switch their replacements read."""

    def __init__(self, fix: "Fix", bindings: "List[Binding]", switch: Switch) -> None:
        self.fix = fix
        self.bindings = bindings
        self.switch = switch

    def installed(self) -> bool:
        return self.switch.on and all(b.state() != "absent" for b in self.bindings)

    def describe(self) -> str:
        if not self.bindings:
            return "nothing to replace: the reference already is our replacement"
        parts = []
        for b in self.bindings:
            state = b.state()
            parts.append(
                {
                    "ours": "{} replaced",
                    "stacked": "{} replaced, and wrapped again by another fix of this package",
                    "under": "{} replaced, and wrapped again by another patch",
                    "absent": "{} not replaced",
                }[state].format(b.where)
            )
        if not self.switch.on and any(b.state() != "absent" for b in self.bindings):
            parts.append("our replacement is switched off")
        return "; ".join(parts)

    def install(self) -> None:
        for b in self.bindings:
            if b.state() == "absent":
                setattr(b.owner, b.attribute, b.replacement)
        self.switch.on = True

    def uninstall(self) -> "Tuple[List[str], List[str], List[str]]":
        """Restore the originals: (places restored, places left wrapped by another library,
        places left under another fix of ours). Where one is left, the switch makes our
        replacement call straight through to the original."""
        self.switch.on = False
        restored, left, stacked = [], [], []
        for b in self.bindings:
            state = b.state()
            if state == "ours":
                setattr(b.owner, b.attribute, b.original)
                restored.append(b.where)
            elif state == "under":
                left.append(b.where)
            elif state == "stacked":
                stacked.append(b.where)
        return restored, left, stacked
