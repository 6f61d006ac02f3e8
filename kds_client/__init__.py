"""The one Python client of the KDS server: REST calls, a live feed that never misses a
change, and a local store of orders. Both apps, the tests and scripts use it.

No Textual import here: the apps turn the feed's callbacks into their own messages.
"""
