"""Custodian keys wrapped under a passphrase, and opening-key shares sealed to them."""
import pytest
from cryptography.hazmat.primitives import serialization

from bidding.crypto.canonical import canonical_parse
from bidding.crypto.custodian import (
    SCRYPT_N, ShareError, WrongPassphrase, custodian_key_create, custodian_key_unwrap, share_open, share_seal,
)
from bidding.crypto.shamir import combine, split


@pytest.fixture(scope="module")
def custodian_key():
    public_pem, wrapped = custodian_key_create(passphrase="correct horse 电池 staple")
    return public_pem, wrapped


def test_round_trip_and_recorded_parameters(custodian_key):
    public_pem, wrapped = custodian_key
    private_key = custodian_key_unwrap(wrapped=wrapped, passphrase="correct horse 电池 staple")
    public = serialization.load_pem_public_key(public_pem.encode())
    assert private_key.public_key().public_numbers() == public.public_numbers()
    header = canonical_parse(wrapped[6:6 + int.from_bytes(wrapped[4:6], "big")])
    assert (header["kdf"], header["n"], header["r"], header["p"]) == ("scrypt", SCRYPT_N, 8, 1)
    assert b"PRIVATE" not in wrapped


def test_wrong_passphrase(custodian_key):
    with pytest.raises(WrongPassphrase):
        custodian_key_unwrap(wrapped=custodian_key[1], passphrase="correct horse battery staple")


def test_lowering_the_recorded_cost_is_detected(custodian_key):
    wrapped = custodian_key[1]
    cheaper = wrapped.replace(b'"n":32768', b'"n":16384')
    with pytest.raises(WrongPassphrase):
        custodian_key_unwrap(wrapped=cheaper, passphrase="correct horse 电池 staple")


def test_share_is_bound_to_its_lot_and_custodian(custodian_key):
    public = serialization.load_pem_public_key(custodian_key[0].encode())
    private_key = custodian_key_unwrap(wrapped=custodian_key[1], passphrase="correct horse 电池 staple")
    secret = bytes(range(32))
    shares = split(secret, 2, 3)
    sealed = share_seal(share=shares[0], custodian_public_key=public, platform="p", lot="7", custodian="user:3")
    assert share_open(sealed=sealed, custodian_private_key=private_key, platform="p", lot="7",
                      custodian="user:3") == shares[0]
    for lot, custodian in (("8", "user:3"), ("7", "user:4")):
        with pytest.raises(ShareError):
            share_open(sealed=sealed, custodian_private_key=private_key, platform="p", lot=lot, custodian=custodian)
    opened = share_open(sealed=sealed, custodian_private_key=private_key, platform="p", lot="7", custodian="user:3")
    assert combine(shares=[opened, shares[2]]) == secret
