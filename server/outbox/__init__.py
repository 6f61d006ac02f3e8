"""What leaves the building: customer emails and signed webhooks, from a durable outbox.

``record`` puts what a change must send into that change's own transaction; ``worker``
sends it, retries it on its schedule and records how it ended; ``webhooks`` and ``email``
make one attempt each.
"""
