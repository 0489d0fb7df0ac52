"""Properties of the arithmetic under the sealed bids, over generated inputs (hypothesis): Shamir's
split and combine, and canonical JSON (what receipts, records and the audit chain sign)."""
import json
import random

import pytest
from hypothesis import assume, given, strategies as st

from bidding.crypto import shamir
from bidding.crypto.canonical import CanonicalError, canonical_json, canonical_parse

SAFE = 2**53 - 1
# JSON without floats (refused: money travels as strings), with every kind of text.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-SAFE, SAFE) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=25,
)


@given(secret=st.binary(min_size=1, max_size=64), k=st.integers(2, 12), extra=st.integers(0, 8),
       seed=st.integers(0, 2**32))
def test_any_k_of_n_shares_in_any_order_rebuild_the_secret(secret, k, extra, seed):
    n = k + extra
    shares = shamir.split(secret, k, n)
    assert [index for index, _ in shares] == list(range(1, n + 1))
    chosen = random.Random(seed).sample(shares, random.Random(seed + 1).randint(k, n))
    assert shamir.combine(chosen) == secret


@given(secret=st.binary(min_size=16, max_size=32), k=st.integers(3, 8))
def test_fewer_than_k_shares_do_not_give_the_secret_back(secret, k):
    # k - 1 shares fit a polynomial of every constant term equally; the chance that the one combine
    # picks happens to be the secret is 256**-len(secret).
    assert shamir.combine(shamir.split(secret, k, k)[: k - 1]) != secret


@given(k=st.integers(-3, 300), n=st.integers(-3, 300))
def test_impossible_thresholds_are_refused(k, n):
    assume(not 2 <= k <= n <= 255)
    with pytest.raises(ValueError):
        shamir.split(b"secret", k, n)


@given(value=json_values)
def test_canonical_json_round_trips_and_is_its_own_canonical_form(value):
    data = canonical_json(value)
    assert canonical_parse(data) == value
    assert canonical_json(canonical_parse(data)) == data
    # Sorted keys, no whitespace, UTF-8 as is: what an independent implementation reproduces.
    assert data == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@given(value=st.dictionaries(st.text(max_size=8), json_values, min_size=1, max_size=5))
def test_a_document_written_any_other_way_is_refused(value):
    for other in (json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1),
                  json.dumps(value, sort_keys=True, separators=(", ", ": "), ensure_ascii=False),
                  json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)):
        if other.encode() != canonical_json(value):
            with pytest.raises(CanonicalError):
                canonical_parse(other.encode())


@given(number=st.floats(allow_nan=True, allow_infinity=True))
def test_floats_have_no_canonical_form(number):
    with pytest.raises(CanonicalError):
        canonical_json({"price": number})
