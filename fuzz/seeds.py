#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/seed-NN from the project's existing test vectors
(json.rs, wire.rs, cookie, jwt, keys, crypto_ecies.rs, crypto_aead.rs, the server's tests).
Run again after changing it; the files are committed. Input layouts follow fuzz/fuzz_targets/*.rs."""
import base64, json, os, struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
KEY_A_PUB = "044e3b81af9c2234cad09d679ce6035ed1392347ce64ce405f5dcd36228a25de6e47fd35c4215d1edf53e6f83de344615ce719bdb0fd878f6ed76f06dd277956de"
ECIES = '{"iv":"0102030405060708090a0b0c0d0e0f10","ephemPublicKey":"04372e17b2c6239bd83517433b83aee90b84ab9c9ab21a40886e54bcbe6afbcc10b04d7fe4efd9668fac0ac7d3d37275ca2c1c3628d9f74b1759f306baec965580","ciphertext":"ab5f541a7b954af7442f2e99abdc135f76acf0ef41e3a7bdd5f24277f3285285","mac":"8e1d16b22cd8d273daa62b5b49c99802adbb21f0a8aa60d9dd54fe752211d487"}'
GCM = '{"v":1,"alg":"A256GCM","nonce":"000102030405060708090a0b","ciphertext":"d144b752b1c7c843ba4332dc152b361533d350f34413ca52f266"}'

def b64(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")

def jwt(payload, alg="none"):
    return b64(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + "." + b64(payload.encode()) + ".sig"

def write(target, seeds):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):  # regression-* inputs (crashes found) stay
        if old.startswith("seed-"):
            os.remove(os.path.join(d, old))
    for i, s in enumerate(seeds):
        with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
            f.write(s.encode() if isinstance(s, str) else s)

JSON = ["{}", "[]", "0", "-0.0e-0", '"x"', ' {"a" : [ 1 , 2 ] } ', '{"a":1,"a":2}', "[1,]", "01",
        '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\\ud83d\\u0041"', '"\\q"', '"\u007f"',
        "[null,true,false]", '{"a":{"b":{}}}', "\ufeff1", "1 1", '"\\u00e9\\u00E9"', '["\\/"]',
        "1e5", "1E-5", "1e400", "12345678901234567890123", "9007199254740993", "5e-324",
        "[" * 127 + "]" * 127, "[" * 128 + "]" * 128, ECIES, GCM]
write("json_differential", JSON)

answers = ['{"access_token":"a","refresh_token":"r","session_data":"{}"}',
           '{"access_token":"a","refresh_token":""}', '{"access_token":"a","session_data":{"iv":"00"}}',
           "", "<html>", "[]", '{"access_token":""}', '{"access_token":1}',
           '{"error":"invalid_grant","error_description":"refresh token reused"}', '{"message":"gone"}']
write("refresh_answer", [struct.pack("<H", s) + a.encode() for s in (100, 101, 300, 301, 329, 8, 29)
                          for a in answers[:4]] + [struct.pack("<H", 100) + a.encode() for a in answers])

def cookie(name, value, path, domain, same, secure, max_age, header):
    u = b""
    for s in (name, value, path, domain):
        b = s.encode()
        u += bytes([len(b)]) + b
    return u + bytes([same, secure]) + struct.pack("<q", max_age) + header.encode()
write("cookie", [cookie("w3a:session_id", "0xab", "/", "", 0, 1, 2592000, "a=1; w3a:session_id=0xab; b=%E2%82%AC"),
                 cookie("k", "v;x=1", "/p", "example.com", 2, 0, 0, "k=%ZZ; k=ok"),
                 cookie("k", "é €", "/; Domain=x", "x.com; SameSite=None", 1, 1, -1, " k = v ;k=v2"),
                 cookie("a=b", "v", "", "", 3, 1, 5, "a=b=c")])

write("jwt_claims", [b"\x00" + jwt('{"sub":"x","exp":1700000000}').encode(),
                     b"\x02" + jwt('{"jti":"t","iat":1700000000,"exp":1700000900}').encode(),
                     b"\x00e30.eyJzdWIiOiJ4In0.s", b"\x00a.b.c.d", b"\x00opaque-token",
                     b'\x01{"exp":1700000000.5,"iat":1}', b'\x03{"exp":-1}', b'\x01{"exp":1e400}',
                     b'\x01{"exp":"1"}', b'\x01{"exp":1,"exp":2}', b'\x01[1]'])

write("session_id", ["0xAb", "0x", "0X1f", "ab" * 40, "0x" + "f" * 64, "0x0x1", "g", "0", "", "0xABCDEFabcdef0123456789"])

write("ecies_decrypt", [b"\x00" + ECIES.encode(), b"\x00" + GCM.encode(), b"\x00{}",
                        b"\x01" + bytes(range(1, 33)) + bytes([7] * 16) + b"\x00" + b'{"a":1}',
                        b"\x01" + bytes([0x11] * 32) + bytes(range(16)) + b"\x03\x05\x00\x40\x07\x99\x01" + b'{"privKey":"abc","n":1}'])

write("aead_decrypt", [b"\x00" + GCM.encode(), b"\x00" + ECIES.encode(), b"\x00" + GCM.replace('"v":1', '"v":1.0').encode(),
                       b"\x01\x00" + b'{"a":1}', b"\x01\x02\x10\x00\x20\x05" + b"hello"])

def sm(status, bits, flips, plaintext, cached, cached_plain, body):
    u = struct.pack("<H", status - 100) + bytes([bits, len(flips)])
    for at, bit in flips:
        u += struct.pack("<H", at) + bytes([bit])
    for s in (plaintext, cached, cached_plain):
        b = s.encode()
        u += bytes([len(b)]) + b
    return u + body.encode()
write("storage_manager", [sm(200, 0, [], '{"a":1}', "", "", '{"message":"$MSG"}'),
                          sm(200, 3, [], '{"a":1}', "", "", '{"message":"$MSG"}'),
                          sm(200, 1, [], '{"a":1}', "", "", '{"message":"$MSG"}'),
                          sm(200, 0, [(40, 1)], '{"a":1}', "", "", '{"message":"$MSG"}'),
                          sm(200, 4, [], '{"a":1}', "$MSG", "[1]", '{"message":"$MSG"}'),
                          sm(200, 4, [], '{"a":1}', GCM, "[1]", '{"message":""}'),
                          sm(404, 0, [], "{}", "", "", '{"error":"not_found"}'),
                          sm(200, 0, [], "{}", "", "", '{"message":1}'),
                          sm(200, 0, [], "{}", "", "", '{"message":"' + ECIES.replace('"', '\\"') + '"}')])

def bearer(values, token):
    u = bytes([len(values)])
    for v in values:
        u += bytes([len(v)]) + v.encode()
    return u + token.encode()
write("server_bearer", [bearer(["Bearer a.b-c_d"], "a.b-c_d"), bearer(["bearer x"], "x y"),
                        bearer(["Bearer  x"], ""), bearer(["Bearer x", "Bearer x"], "~+/="),
                        bearer(["Basic dXNlcjpwYXNz"], "dXNlcjpwYXNz")])

signed = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2ln"
write("server_jwt", [b"\x00" + struct.pack("<Q", 1_700_000_000_000) + signed.encode(),
                     b"\x00" + struct.pack("<Q", 0) + jwt('{"exp":1}', "none").encode(),
                     b"\x02" + struct.pack("<Q", 5) + jwt('{"exp":1}', "HS256").encode(),
                     b"\x01" + struct.pack("<IHiQ", 1_700_000_000, 900, 1000, 0) + b"\x00" + b"alice",
                     b"\x03" + struct.pack("<IHiQ", 1000, 100, -5000, 7) + b"\x02\x05\x00\x03\x50\x00\x01" + b"bob"])

write("server_refresh_token", [bytes(16) + bytes(32) + ("0" * 32 + "." + b64(bytes(32))).encode(),
                               bytes(range(16)) + bytes(range(32)) + ("0123456789abcdef" * 2 + "." + b64(bytes(range(32)))).encode(),
                               bytes(48) + b"ABCDEF0123456789abcdef0123456789.AAAA",
                               bytes(48) + ("0" * 32 + "." + b64(bytes(32)) + "=").encode()])

def calls(*cs):
    u = bytes([len(cs) - 1])
    for i, (route, ct, auth, signed_, body) in enumerate(cs):
        u += bytes([route, ct, auth, 0 if signed_ else 1])
        if i + 1 < len(cs):
            u += bytes([len(body)])
        u += body.encode()
    return u
write("server_router", [
    calls((1, 0, 0, False, '{"refresh_token":"$RT"}')),
    calls((1, 0, 0, False, '{"refresh_token":"$RT"}'), (1, 0, 0, False, '{"refresh_token":"$RT"}')),
    calls((0, 0, 0, False, '{"username":"u","public_key":"$PK","session_data":{"a":1},"label":"l"}')),
    calls((2, 0, 1, False, '{"refresh_token":"$RT"}')),
    calls((4, 0, 1, False, '{"scope":"others"}')),
    calls((5, 0, 1, False, "")),
    calls((7, 3, 1, False, "plain")),
    calls((8, 0, 0, True, ECIES)),
    calls((8, 0, 0, True, ''), (9, 0, 0, False, '{"key":"$PK"}')),
    calls((10, 0, 0, True, GCM)),
    calls((12, 0, 0, False, '{"sid":"$SID"}'), (1, 0, 1, False, '{"refresh_token":"$RT"}')),
    calls((13, 0, 0, False, '{"sid":"$SID"}')),
    calls((14, 0, 0, False, '{"count":1,"status":503}')),
    calls((1, 5, 0, False, '{"refresh_token":1e400}')),
    calls((0, 1, 0, False, '{"username":"\\u0000","public_key":"04"}')),
])

# http_answer: flags (bit 0 authenticated, bits 1-3 any status), then three answers (API, refresh,
# retry): status u16, content-type index, body, 0xff.
def http(flags, *answers):
    out = bytes([flags])
    for status, ct, body in answers:
        out += struct.pack("<H", status) + bytes([ct]) + body.encode() + b"\xff"
    return out

ROTATED = '{"access_token":"%s","refresh_token":"rt-2"}' % jwt('{"exp":1800003600}')
write("http_answer", [
    http(0, (0, 1, '{"ok":true}'), (0, 0, ""), (0, 0, "")),
    http(1, (0, 2, '{"items":[1,2]}'), (0, 0, ""), (0, 0, "")),
    http(1, (3, 1, '{"error":"expired"}'), (0, 1, ROTATED), (0, 1, '{"ok":1}')),
    http(1, (3, 0, ""), (0, 1, ROTATED), (3, 3, "still no")),
    http(1, (3, 0, ""), (6, 1, '{"error":"invalid_grant"}'), (0, 0, "")),
    http(1, (3, 0, ""), (9, 5, "<html>bad gateway</html>"), (0, 0, "")),
    http(1, (3, 0, ""), (0, 1, '{"access_token":""}'), (0, 0, "")),
    http(1, (3, 0, ""), (0, 3, "not json"), (0, 0, "")),
    http(1, (3, 0, ""), (7, 0, ""), (0, 0, "")),
    http(0, (4, 4, '{"type":"about:blank"}'), (0, 0, ""), (0, 0, "")),
    http(14, (101, 1, "{}"), (99, 1, "{}"), (399, 1, "{}")),
])
