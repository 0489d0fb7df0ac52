"""Writes of the bidding app: ``keys`` (custodian keys, a lot's opening key at publication) and
``bids`` (submission, replacement, withdrawal, receipts)."""
