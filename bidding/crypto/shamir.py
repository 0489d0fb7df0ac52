"""Shamir secret sharing over GF(2^8) (AES polynomial x^8 + x^4 + x^3 + x + 1), byte by byte.

Share ``x`` of a secret is, for every secret byte ``s``, ``f(x)`` of a fresh random polynomial of
degree k − 1 with ``f(0) = s``. Any k shares give ``f(0)`` back by Lagrange interpolation; fewer
leave every value of ``s`` equally likely.
"""
import secrets
from collections.abc import Sequence

_POLY = 0x11B


def _tables() -> tuple[list[int], list[int]]:
    # 0x03 generates the multiplicative group of this field; exp is doubled so a product's log sum
    # needs no reduction mod 255.
    exp, log = [0] * 510, [0] * 256
    value = 1
    for power in range(255):
        exp[power] = exp[power + 255] = value
        log[value] = power
        value ^= value << 1  # times 0x03 = times 0x02 plus itself
        if value & 0x100:
            value ^= _POLY
    return exp, log


_EXP, _LOG = _tables()


def gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def gf_div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(2^8)")
    if a == 0:
        return 0
    return _EXP[_LOG[a] + 255 - _LOG[b]]


def split(secret: bytes, k: int, n: int) -> list[tuple[int, bytes]]:
    """``n`` shares ``(index, bytes)``, indices 1..n, any ``k`` of which rebuild ``secret``."""
    if not 2 <= k <= n <= 255:
        raise ValueError("need 2 <= k <= n <= 255")
    if not secret:
        raise ValueError("the secret is empty")
    # coefficients[i] holds the k - 1 random higher coefficients of byte i's polynomial.
    coefficients = [secrets.token_bytes(k - 1) for _ in secret]
    return [(x, bytes(_evaluate(byte, coefficients[i], x) for i, byte in enumerate(secret))) for x in range(1, n + 1)]


def combine(shares: Sequence[tuple[int, bytes]]) -> bytes:
    """The secret from k or more shares. Fewer than k give a wrong secret, which nothing here can
    tell: the caller checks the result (the opening compares the rebuilt key with the public key)."""
    if len(shares) < 2:
        raise ValueError("need at least 2 shares")
    indices = [index for index, _ in shares]
    if len(set(indices)) != len(indices):
        raise ValueError("duplicate share index")
    if not all(isinstance(index, int) and 1 <= index <= 255 for index in indices):
        raise ValueError("share indices are 1 to 255")
    length = len(shares[0][1])
    if length == 0 or any(len(value) != length for _, value in shares):
        raise ValueError("shares of different or zero length")
    weights = [_lagrange_at_zero(index, indices) for index in indices]
    return bytes(_combine_byte([value[position] for _, value in shares], weights) for position in range(length))


def _evaluate(constant: int, higher: bytes, x: int) -> int:
    # Horner, from the highest coefficient down to the secret byte.
    result = 0
    for coefficient in reversed(higher):
        result = gf_mul(result, x) ^ coefficient
    return gf_mul(result, x) ^ constant


def _lagrange_at_zero(index: int, indices: list[int]) -> int:
    # In characteristic 2, 0 - x_j = x_j and x_i - x_j = x_i ^ x_j.
    weight = 1
    for other in indices:
        if other != index:
            weight = gf_mul(weight, gf_div(other, index ^ other))
    return weight


def _combine_byte(values: list[int], weights: list[int]) -> int:
    result = 0
    for value, weight in zip(values, weights):
        result ^= gf_mul(value, weight)
    return result
