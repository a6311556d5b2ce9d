"""Logins for the chat page: salted scrypt hashes, roles, and a gate that slows and locks out guessing.

A logins file holds one `name:scrypt$N$r$p$salt$hash:role` line per person (# comments
allowed). `assistant users add NAME` writes such a line; a line with a plain-text password
is refused, with the command that converts the file.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from assistant.core.errors import Code, InputError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~50 ms and 16 MB per check on a laptop
_NAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@")


class Role(StrEnum):
    ADMIN = "admin"  # adds, deletes and re-indexes documents; chooses the model
    STAFF = "staff"  # asks, searches, runs batches


@dataclass(frozen=True)
class Login:
    name: str
    hashed: str
    role: Role


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, hashed: str) -> bool:
    try:
        kind, n, r, p, salt, digest = hashed.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=32, maxmem=256 << 20)
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not set(name) <= _NAME_OK:
        raise InputError(Code.USER_NAME, name=name)
    return name


def _lines(path: Path) -> list[str]:
    try:
        return path.read_bytes().decode("utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(Code.LOGINS_NOT_FOUND, path=path) from None
    except UnicodeDecodeError:
        raise InputError(Code.LOGINS_NOT_UTF8, path=path) from None
    except OSError as e:
        raise InputError(Code.LOGINS_UNREADABLE, path=path, detail=e.strerror or e) from None


def read_logins(path: str | os.PathLike) -> dict[str, Login]:
    """The logins in a file; a plain-text password, a bad line or an empty file is one error line."""
    p = Path(path)
    out: dict[str, Login] = {}
    for i, raw in enumerate(_lines(p), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition(":")
        hashed, _, role = rest.rpartition(":") if rest.count(":") else (rest, "", "")
        if not hashed.startswith("scrypt$"):
            raise InputError(Code.LOGINS_PLAIN, path=p, line=i)
        try:
            out[check_name(name)] = Login(name.strip(), hashed, Role(role or Role.STAFF))
        except ValueError:
            raise InputError(Code.LOGINS_ROLE, path=p, line=i, role=role) from None
    if not out:
        raise InputError(Code.LOGINS_EMPTY, path=p)
    return out


def _write(path: Path, lines: list[str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def add_user(path: str | os.PathLike, name: str, password: str, role: Role) -> bool:
    """Add a login or replace its password and role; True when the name was new."""
    p = Path(path)
    name = check_name(name)
    if len(password) < 8:
        raise InputError(Code.PASSWORD_SHORT)
    lines = _lines(p) if p.exists() else ["# logins for `assistant serve --auth-file` (salted scrypt hashes)"]
    entry = f"{name}:{hash_password(password)}:{role}"
    new = True
    for i, line in enumerate(lines):
        if line.strip().partition(":")[0].strip() == name:
            lines[i], new = entry, False
    if new:
        lines.append(entry)
    _write(p, lines)
    return new


def convert(path: str | os.PathLike) -> int:
    """Hash every plain-text `name:password[:role]` line in place; returns how many were converted.

    A converted line without a role becomes admin: it could do everything before.
    """
    p = Path(path)
    lines, n = _lines(p), 0
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition(":")
        if rest.startswith("scrypt$"):
            continue
        password, role = rest, Role.ADMIN
        head, _, last = rest.rpartition(":")
        if head and last in (Role.ADMIN, Role.STAFF):
            password, role = head, Role(last)
        if not password:
            raise InputError(Code.LOGINS_BAD_LINE, path=p, line=i + 1)
        lines[i] = f"{check_name(name)}:{hash_password(password)}:{role}"
        n += 1
    _write(p, lines)
    return n


@dataclass
class _Tally:
    failures: int = 0
    until: float = 0.0  # locked until this time
    last: float = 0.0


@dataclass
class Gate:
    """Checks logins; every failure costs a second, and repeated failures lock the name and the address.

    After `free` failures (per name, or `free * 4` per address) each further failure locks for
    `base` seconds, doubling up to `cap`; a success clears the name's tally.
    """

    logins: dict[str, Login]
    free: int = 5
    base: float = 30.0
    cap: float = 900.0
    delay: float = 1.0
    clock: Callable[[], float] = time.monotonic
    by_name: dict[str, _Tally] = field(default_factory=dict)
    by_address: dict[str, _Tally] = field(default_factory=dict)

    def locked(self, name: str, address: str) -> bool:
        now = self.clock()
        return any(t.until > now for t in (self.by_name.get(name), self.by_address.get(address)) if t)

    def role(self, name: str | None) -> Role | None:
        login = self.logins.get(name or "")
        return login.role if login else None

    async def check(self, name: str, password: str, address: str = "") -> bool:
        if self.locked(name, address):
            await asyncio.sleep(self.delay)
            return False
        login = self.logins.get(name)
        ok = await asyncio.to_thread(verify_password, password, login.hashed if login else _DUMMY)
        if ok and login:
            self.by_name.pop(name, None)
            return True
        self._fail(self.by_name, name, self.free)
        if address:
            self._fail(self.by_address, address, self.free * 4)
        await asyncio.sleep(self.delay)
        return False

    def _fail(self, table: dict[str, _Tally], key: str, free: int) -> None:
        t = table.setdefault(key, _Tally())
        now = self.clock()
        if now - t.last > self.cap:  # a quiet quarter of an hour forgives old failures
            t.failures = 0
        t.failures += 1
        t.last = now
        if t.failures >= free:
            t.until = now + min(self.cap, self.base * 2 ** (t.failures - free))


_DUMMY = hash_password("not a password", salt=b"0" * 16)  # same work for an unknown name as a known one
