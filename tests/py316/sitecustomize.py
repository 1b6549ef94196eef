"""CPython 3.16 removes asyncio.iscoroutinefunction (What's New in 3.16,
"Removed"). No 3.16 build can be had here: the legs that simulate it run
3.15 with this directory on PYTHONPATH, so that the function is gone before
anything imports, as it will be. asyncio itself does not need it.
"""

import asyncio
import asyncio.coroutines

for _module in (asyncio, asyncio.coroutines):
    if hasattr(_module, "iscoroutinefunction"):
        delattr(_module, "iscoroutinefunction")
del _module
