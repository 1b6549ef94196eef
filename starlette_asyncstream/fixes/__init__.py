"""One module per fix, named after its row in ``_ranges`` (``sse-dispatch``
lives in ``sse_dispatch.py``). ``_core`` imports a room only once its row
applies to the running releases; see ``_core``'s docstring for what a room
holds. Nothing here is public.
"""
