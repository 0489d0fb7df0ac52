"""Writes of sealed bidding: ``keys`` (custodian keys, a lot's opening key at publication), ``bids``
(submission, replacement, withdrawal, receipts) and ``opening`` (the online opening and its record)."""
