"""Hashing, HMAC chains and IP ranges (spec §8.6)."""

import base64
import hashlib
import hmac
import ipaddress


def _digest(name: str):
    def digest(text, encoding="hex"):
        raw = hashlib.new(name, str(text).encode())
        return raw.hexdigest() if encoding != "base64" else base64.b64encode(raw.digest()).decode()

    return digest


def _hmac_chain(name: str):
    def chain(data, encoding="hex"):
        if type(data) is not list or len(data) < 2:
            raise ValueError("Data array must contain at least two elements.")
        mac = hmac.new(str(data[0]).encode(), str(data[1]).encode(), name)
        for item in data[2:]:
            mac = hmac.new(mac.digest(), str(item).encode(), name)
        return mac.hexdigest() if encoding != "base64" else base64.b64encode(mac.digest()).decode()

    return chain


def is_ip_address_in_range(address, cidr) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def functions(ctx) -> dict:
    return {
        "md5Hex": (_digest("md5"), 1, 1),
        "sha1Hex": (_digest("sha1"), 1, 1),
        "sha256Hex": (_digest("sha256"), 1, 1),
        "md5": (_digest("md5"), 1, 2),
        "sha1": (_digest("sha1"), 1, 2),
        "sha256": (_digest("sha256"), 1, 2),
        "sha256HmacChainHex": (_hmac_chain("sha256"), 1, 1),
        "sha1HmacChainHex": (_hmac_chain("sha1"), 1, 1),
        "sha256HmacChain": (_hmac_chain("sha256"), 1, 2),
        "isIPAddressInRange": (is_ip_address_in_range, 2, 2),
    }
