"""Random identifiers and secrets: case numbers, case access codes and partner API keys.

Secrets are high-entropy random values, so a single SHA-256 is the right stored form (ASVS 6.5.2):
there is nothing to brute-force that a slow hash would protect.
"""

import hashlib
import hmac
import secrets

# Crockford's base32: no I, L, O or U, so codes read aloud or copied by hand survive.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})

CASE_NUMBER_CHARS = 12  # 60 bits: an identifier, not a secret
ACCESS_CODE_CHARS = 26  # 130 bits
PARTNER_KEY_PREFIX = "tdk_"


def _random_chars(count: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(count))


def _grouped(chars: str, size: int) -> str:
    return "-".join(chars[i : i + size] for i in range(0, len(chars), size))


def normalise_code(text: str) -> str:
    """Upper-case, drop spaces and dashes, and read look-alike letters as digits."""
    return "".join(text.split()).replace("-", "").upper().translate(_READ_AS)


def new_case_number() -> str:
    """A case number such as 'K7QM-2XHD-9RTA'."""
    return _grouped(_random_chars(CASE_NUMBER_CHARS), 4)


def new_access_code() -> str:
    """An access code of 130 random bits, in groups of five characters."""
    return _grouped(_random_chars(ACCESS_CODE_CHARS), 5)


def digest(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored_digest: str) -> bool:
    """Whether a secret is the one whose digest is stored, in constant time."""
    return hmac.compare_digest(digest(secret), stored_digest)


def new_partner_key() -> tuple[str, str]:
    """A partner API key (192 random bits) and the prefix by which it is looked up."""
    key = PARTNER_KEY_PREFIX + secrets.token_urlsafe(24)
    return key, key[: len(PARTNER_KEY_PREFIX) + 8]
