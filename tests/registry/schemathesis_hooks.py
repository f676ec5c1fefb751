"""Teach schemathesis the two rules that a JSON schema cannot express, so that its schema-valid
requests are valid for the registry too: a PDQ hash of a real image has exactly 128 bits set
(in submissions and in match queries), and one case holds no hash twice. Only requests meant to
be valid are changed."""

import hashlib

import schemathesis


def _real_looking_pdq(seed: str) -> str:
    """A 64-hex-digit PDQ hash with exactly 128 bits set, derived from the generated one."""
    digest = hashlib.sha512(seed.encode()).digest()
    order = sorted(range(256), key=lambda bit: (digest[bit % 64] ^ bit * 37) & 0xFF)
    return f"{sum(1 << bit for bit in order[:128]):064x}"


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    body = case.body
    if not isinstance(body, dict):
        return
    for position, query in enumerate(body.get("hashes") or []):
        if isinstance(query, dict) and query.get("signal_type") == "pdq":
            query["value"] = _real_looking_pdq(f"q{position}:{query.get('value')}")
            if isinstance(query.get("dihedral"), list):
                query["dihedral"] = [
                    _real_looking_pdq(f"q{position}:{i}:{v}")
                    for i, v in enumerate(query["dihedral"])
                ]
    for position, item in enumerate(body.get("items") or []):
        if not isinstance(item, dict):
            continue
        for key in ("photo_md5", "video_md5"):
            if isinstance(item.get(key), str):
                item[key] = hashlib.md5(f"{position}:{item[key]}".encode()).hexdigest()
        for index, pdq in enumerate(item.get("pdq") or []):
            if isinstance(pdq, dict) and isinstance(pdq.get("hash"), str):
                pdq["hash"] = _real_looking_pdq(f"{position}:{index}:{pdq['hash']}")
        frames = [f for f in item.get("vpdq") or [] if isinstance(f, dict)]
        for index, frame in enumerate(frames):
            frame["hash"] = _real_looking_pdq(f"v{position}:{index}:{frame.get('hash')}")
        if frames and all(frame.get("quality", 0) < 50 for frame in frames):
            frames[0]["quality"] = 90  # a video needs one frame good enough to match
