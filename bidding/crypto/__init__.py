"""The cryptography of sealed bids, free of Django and of the rest of the project.

Every module here imports only the standard library, ``cryptography`` and its siblings, so the
bidder's sealer (``python -m bidding.seal``) and the public verifier (``python -m bidding.verify``)
run on a machine that has nothing but ``cryptography`` installed. The formats are specified in
``docs/envelope.md``, ``docs/audit.md`` and ``docs/archive.md`` (a finished lot's archive).
"""
