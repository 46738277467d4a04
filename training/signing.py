"""The city's badge signing key (Ed25519) and Data Integrity proofs (cryptosuite ``eddsa-jcs-2022``).

The key comes from the environment variable ``BADGE_SIGNING_KEY`` (a PEM private key; a Django setting of the
same name wins). Without it a development key is generated once and stored in the database, so every
server process signs with the same key.

Proof, following the W3C Data Integrity EdDSA cryptosuite with JSON canonicalisation (RFC 8785):
  hash = SHA-256(JCS(proof options with the document's @context)) || SHA-256(JCS(document without proof))
  proofValue = multibase base58-btc of Ed25519(hash)
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction

ENV_NAME = "BADGE_SIGNING_KEY"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_MULTICODEC = b"\xed\x01"


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + B58.index(ch)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def canonical(obj) -> bytes:
    """JSON Canonicalization Scheme (RFC 8785) for documents without floating-point numbers."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _configured_pem() -> str:
    return (getattr(settings, ENV_NAME, None) or os.environ.get(ENV_NAME) or "").strip()


def _kid_for(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@lru_cache(maxsize=4)
def _load(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{ENV_NAME} must be an Ed25519 private key")
    return key


def _dev_key() -> Ed25519PrivateKey:
    from training.models import SigningKey

    row = SigningKey.objects.order_by("created_at", "pk").first()
    if row is None:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        try:
            with transaction.atomic():
                SigningKey.objects.create(kid=_kid_for(key.public_key()), private_pem=pem)
        except IntegrityError:
            pass
        row = SigningKey.objects.order_by("created_at", "pk").first()
    return _load(row.private_pem)


def private_key() -> Ed25519PrivateKey:
    pem = _configured_pem()
    return _load(pem) if pem else _dev_key()


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def key_id() -> str:
    return _kid_for(public_key())


def public_multibase(public: Ed25519PublicKey | None = None) -> str:
    public = public or public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(ED25519_MULTICODEC + raw)


def public_from_multibase(value: str) -> Ed25519PublicKey:
    data = b58decode(value[1:])
    if not value.startswith("z") or data[:2] != ED25519_MULTICODEC:
        raise ValueError("not an Ed25519 multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def jwk(public: Ed25519PublicKey | None = None) -> dict:
    public = public or public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": _kid_for(public), "use": "sig", "alg": "EdDSA"}


def public_pem() -> str:
    return public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _hash_data(document: dict, proof_options: dict) -> bytes:
    doc = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    options["@context"] = document["@context"]
    return hashlib.sha256(canonical(options)).digest() + hashlib.sha256(canonical(doc)).digest()


def sign(document: dict, *, verification_method: str, created: str) -> dict:
    """Return a copy of ``document`` with a DataIntegrityProof (eddsa-jcs-2022)."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key().sign(_hash_data(document, options))
    return {**document, "proof": {**options, "proofValue": "z" + b58encode(signature)}}


def verify(document: dict, public: Ed25519PublicKey | None = None) -> bool:
    """Check the document's DataIntegrityProof with ``public`` (default: the city's current key)."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != "eddsa-jcs-2022":
        return False
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    try:
        signature = b58decode(value[1:])
        (public or public_key()).verify(signature, _hash_data(document, proof))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True
