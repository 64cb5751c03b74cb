"""AtomoAuth's interop peer: argon2-cffi, bcrypt and PyJWT.

Reads a JSON array of requests on stdin, prints a JSON array of responses (one per request).
Driven by Tests/AtomoAuthTests/AuthInteropTests.swift with the interpreter in ATOMO_INTEROP_PYTHON.

Requests:
  {"op": "argon2_hash", "password": p}                        -> {"hash": phc}       (argon2-cffi defaults)
  {"op": "argon2_verify", "password": p, "hash": phc}         -> {"ok": bool}
  {"op": "bcrypt_hash", "password": p, "rounds": n, "prefix": "2b"} -> {"hash": h}
  {"op": "jwt_encode", "alg": a, "key": k, "claims": {...}}   -> {"token": t}
  {"op": "jwt_decode", "alg": a, "key": k, "token": t, "issuer": i, "audience": aud}
                                                              -> {"claims": {...}} or {"error": name}
Keys: HS256 keys are hex ("key_hex"); ES256 keys are PEM ("key").
"""
import json
import sys

import argon2
import bcrypt
import jwt


def key_of(request):
    if "key_hex" in request:
        return bytes.fromhex(request["key_hex"])
    return request["key"]


def handle(request):
    op = request["op"]
    if op == "argon2_hash":
        return {"hash": argon2.PasswordHasher().hash(request["password"])}
    if op == "argon2_verify":
        try:
            return {"ok": argon2.PasswordHasher().verify(request["hash"], request["password"])}
        except argon2.exceptions.VerifyMismatchError:
            return {"ok": False}
    if op == "bcrypt_hash":
        salt = bcrypt.gensalt(rounds=request.get("rounds", 4), prefix=request.get("prefix", "2b").encode())
        return {"hash": bcrypt.hashpw(request["password"].encode(), salt).decode()}
    if op == "jwt_encode":
        return {"token": jwt.encode(request["claims"], key_of(request), algorithm=request["alg"])}
    if op == "jwt_decode":
        try:
            claims = jwt.decode(
                request["token"],
                key_of(request),
                algorithms=[request["alg"]],
                issuer=request["issuer"],
                audience=request["audience"],
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
            return {"claims": claims}
        except jwt.PyJWTError as error:
            return {"error": type(error).__name__}
    raise ValueError(f"unknown op {op}")


def main():
    requests = json.load(sys.stdin)
    json.dump([handle(request) for request in requests], sys.stdout)


if __name__ == "__main__":
    main()
