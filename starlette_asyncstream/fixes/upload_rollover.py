"""Fix ``upload-rollover``: an upload's write that moves it from memory to
disk runs in the thread pool (Starlette 0.13.5-0.14.2): CVE-2025-54121,
GHSA-2c2j-9gv5-cj73.

From 0.13.5, ``UploadFile.write`` writes in the event loop's thread while
the ``SpooledTemporaryFile`` behind it is still in memory, and in the thread
pool once it is on disk. The write that crosses ``max_size`` (1 MB) is made
while the file is still in memory, so the rollover itself (a temporary file
created, the megabyte copied to it) blocks the event loop: every other
request of the worker waits, once per large upload part. 0.47.2 sends that
write to the thread pool too.

The replacement asks whether the write would cross the spool's size and
then writes in the thread pool with the release's own ``run_in_threadpool``;
every other write is the release's own.
"""

import functools
from typing import Any, Callable, List, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute

MODULES = ("starlette.datastructures",)


def will_roll(file: Any, size: int) -> bool:
    """Would writing `size` bytes make this SpooledTemporaryFile move to disk?
    (It rolls over once its position passes max_size.)"""
    max_size = getattr(file, "_max_size", None)  # (0 or none: it never rolls over)
    return bool(max_size) and file.tell() + size > max_size


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    names = original.__globals__  # (starlette.datastructures: its run_in_threadpool)

    async def write(self: Any, data: Any) -> None:
        if switch.on and self._in_memory and will_roll(self.file, len(data)):
            await names["run_in_threadpool"](self.file.write, data)
            return
        await original(self, data)

    functools.update_wrapper(write, original)
    return write


def targets(datastructures: Any) -> "List[Tuple[Any, str, Any]]":
    cls, write = own_attribute(datastructures, "UploadFile", "write")
    if "_in_memory" not in code_names(write) or "run_in_threadpool" not in vars(datastructures):
        raise LayoutError("UploadFile.write does not choose between the event loop and the thread pool")
    if "_will_roll" in code_names(write):
        raise LayoutError("UploadFile.write already sends the rollover to the thread pool")
    return [(cls, "write", write)]
