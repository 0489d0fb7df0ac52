"""Shamir over GF(2^8): field arithmetic against FIPS-197, a share computed by hand, any k of n."""
import itertools
import secrets

import pytest

from bidding.crypto.shamir import combine, gf_div, gf_mul, split


def slow_mul(a: int, b: int) -> int:
    """Carry-less multiplication reduced by 0x11B, written independently of the log tables."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return product


def test_field_matches_fips_197_and_a_bitwise_reference():
    assert gf_mul(0x57, 0x83) == 0xC1  # FIPS-197 §4.2
    assert gf_mul(0x57, 0x13) == 0xFE  # FIPS-197 §4.2.1
    for a in range(256):
        for b in range(0, 256, 7):
            assert gf_mul(a, b) == slow_mul(a, b)
        if a:
            assert gf_mul(a, gf_div(1, a)) == 1


def test_a_share_computed_by_hand_combines():
    # f(x) = 0x2A + 0x07·x: f(1) = 0x2A ^ 0x07 = 0x2D, f(2) = 0x2A ^ 0x0E = 0x24, f(3) = 0x2A ^ 0x09 = 0x23.
    shares = [(1, bytes([0x2D])), (2, bytes([0x24])), (3, bytes([0x23]))]
    for pair in itertools.combinations(shares, 2):
        assert combine(shares=list(pair)) == bytes([0x2A])


@pytest.mark.parametrize("k, n", [(2, 2), (2, 3), (3, 5), (5, 5)])
def test_any_k_of_n_rebuild_and_k_minus_1_do_not(k, n):
    secret = secrets.token_bytes(32)
    shares = split(secret=secret, k=k, n=n)
    assert [index for index, _ in shares] == list(range(1, n + 1))
    for subset in itertools.combinations(shares, k):
        assert combine(shares=list(subset)) == secret
    if k > 2:
        for subset in itertools.combinations(shares, k - 1):
            assert combine(shares=list(subset)) != secret


def test_shares_are_fresh_each_time():
    secret = bytes(32)
    assert split(secret=secret, k=2, n=3) != split(secret=secret, k=2, n=3)


@pytest.mark.parametrize("k, n", [(1, 3), (4, 3), (2, 256), (0, 0)])
def test_split_refuses_bad_parameters(k, n):
    with pytest.raises(ValueError):
        split(secret=b"secret", k=k, n=n)


@pytest.mark.parametrize("shares", [
    [(1, b"ab")],
    [(1, b"ab"), (1, b"cd")],
    [(1, b"ab"), (2, b"c")],
    [(0, b"ab"), (2, b"cd")],
    [(256, b"ab"), (2, b"cd")],
])
def test_combine_refuses_bad_shares(shares):
    with pytest.raises(ValueError):
        combine(shares=shares)
