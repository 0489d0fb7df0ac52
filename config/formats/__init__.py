"""The platform's date and number formats (``FORMAT_MODULE_PATH``): one format in both languages.

Dates and times are written as the centres' systems and GB/T 7408 (ISO 8601) write them, 2026-03-01
09:30, in China Standard Time (``TIME_ZONE``), in Chinese and in English alike: a bidder reads the
same deadline on every page, in every notice and in the live rooms (whose script writes
``YYYY-MM-DD HH:MM:SS``), whatever language they chose. Pages add seconds only where the second
matters (receipts, logs). Forms take dates the ways people in China type them.
"""
