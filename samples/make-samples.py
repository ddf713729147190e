#!/usr/bin/env python3
"""Builds the embedded sample bucket: samples/images/<family>/<n>.tar.

Each <n>.tar is one uncompressed ustar layer, like the objects in the public bucket. The families
share their bottom layers byte for byte (web/1.tar == worker/1.tar == minimal/1.tar, and
web/2.tar == worker/2.tar), so a pull of several families must store those blobs and build
those volumes once.

Python's tarfile writes owners, modes and link entries exactly as given, so the layers carry a
setuid binary, uid-1000 files, absolute and relative symlinks, hardlinks, a whiteout and an
opaque directory without needing root. Output is deterministic: fixed mtimes, fixed content,
fixed entry order; re-running the script rewrites identical bytes.

Usage: python3 samples/make-samples.py [OUTPUT_DIR]   (default: the directory of this script)
"""

import hashlib
import io
import os
import random
import sys
import tarfile

MTIME = 1_700_000_000  # 2023-11-14, fixed so the tars are reproducible


def blob(seed: str, size: int) -> bytes:
    """Deterministic incompressible-looking bytes, standing in for a binary."""
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(size))


class Layer:
    """Accumulates tar entries in order and renders them as one ustar archive."""

    def __init__(self):
        self.entries = []

    def _info(self, name, kind, mode, uid=0, gid=0):
        ti = tarfile.TarInfo(name)
        ti.type = kind
        ti.mode = mode
        ti.uid, ti.gid = uid, gid
        ti.uname = "root" if uid == 0 else ""
        ti.gname = "root" if gid == 0 else ""
        ti.mtime = MTIME
        return ti

    def dir(self, name, mode=0o755, uid=0, gid=0):
        self.entries.append((self._info(name, tarfile.DIRTYPE, mode, uid, gid), None))

    def file(self, name, data, mode=0o644, uid=0, gid=0):
        if isinstance(data, str):
            data = data.encode()
        ti = self._info(name, tarfile.REGTYPE, mode, uid, gid)
        ti.size = len(data)
        self.entries.append((ti, data))

    def symlink(self, name, target):
        ti = self._info(name, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.entries.append((ti, None))

    def hardlink(self, name, target):
        ti = self._info(name, tarfile.LNKTYPE, 0o644)
        ti.linkname = target
        self.entries.append((ti, None))

    def whiteout(self, path):
        """OCI whiteout: deletes `path` from the layers below."""
        parent, base = os.path.split(path)
        self.file(os.path.join(parent, ".wh." + base), b"", mode=0o600)

    def opaque(self, directory):
        """OCI opaque marker: hides everything the layers below put in `directory`."""
        self.file(os.path.join(directory, ".wh..wh..opq"), b"", mode=0o600)

    def render(self) -> bytes:
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for ti, data in self.entries:
                tar.addfile(ti, io.BytesIO(data) if data is not None else None)
        return out.getvalue()


def base_layer() -> bytes:
    """Layer 1: a tiny Debian-like root filesystem."""
    l = Layer()
    for d in ["bin", "etc", "etc/alternatives", "home", "usr", "usr/bin", "usr/lib", "usr/sbin",
              "usr/share", "usr/share/doc", "var", "var/log", "var/cache", "var/cache/apt"]:
        l.dir(d)
    l.dir("root", mode=0o700)
    l.dir("tmp", mode=0o1777)
    # usrmerge-style relative symlink, as in Debian bookworm
    l.symlink("lib", "usr/lib")
    l.symlink("sbin", "usr/sbin")
    l.file("etc/os-release", 'PRETTY_NAME="thinimage sample 1"\nID=sample\nVERSION_ID="1"\n')
    l.file("etc/passwd",
           "root:x:0:0:root:/root:/bin/sh\n"
           "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
    l.file("etc/group", "root:x:0:\ndaemon:x:1:\nshadow:x:42:\n")
    l.file("etc/shadow", "root:*:19000:0:99999:7:::\n", mode=0o640, gid=42)
    l.file("etc/motd", "Welcome to the thinimage sample image.\n")
    l.file("usr/bin/busybox", blob("busybox", 48 * 1024), mode=0o755)
    # hardlinks to one inode, as coreutils-style multi-call binaries ship
    l.hardlink("usr/bin/sh", "usr/bin/busybox")
    l.hardlink("usr/bin/ls", "usr/bin/busybox")
    l.symlink("bin/sh", "/usr/bin/sh")  # absolute symlink, normal in real layers
    l.file("usr/bin/passwd", blob("passwd", 6 * 1024), mode=0o4755)  # setuid root
    l.file("usr/bin/vi", blob("vi", 12 * 1024), mode=0o755)
    l.symlink("etc/alternatives/editor", "/usr/bin/vi")
    l.symlink("usr/bin/editor", "/etc/alternatives/editor")
    l.file("usr/lib/libc.so.6", blob("libc", 64 * 1024), mode=0o755)
    l.file("usr/share/doc/README", "Sample base layer shared by every family.\n")
    l.file("var/cache/apt/pkgcache.bin", blob("pkgcache", 8 * 1024))
    l.file("var/log/dpkg.log", "2023-11-14 install base-files\n")
    return l.render()


def curl_layer() -> bytes:
    """Layer 2: certificates and a library, shared by web and worker."""
    l = Layer()
    for d in ["etc/ssl", "etc/ssl/certs", "usr/share/ca-certificates"]:
        l.dir(d)
    l.file("usr/share/ca-certificates/sample-root.crt",
           "-----BEGIN CERTIFICATE-----\nU0FNUExFIFJPT1Q=\n-----END CERTIFICATE-----\n")
    l.symlink("etc/ssl/certs/sample-root.pem", "/usr/share/ca-certificates/sample-root.crt")
    l.symlink("etc/ssl/certs/1a2b3c4d.0", "sample-root.pem")  # relative, same dir
    l.file("usr/lib/libcurl.so.4.8.0", blob("libcurl", 40 * 1024), mode=0o755)
    l.symlink("usr/lib/libcurl.so.4", "libcurl.so.4.8.0")
    l.file("usr/bin/curl", blob("curl", 16 * 1024), mode=0o755)
    l.file("var/cache/apt/srcpkgcache.bin", blob("srcpkgcache", 8 * 1024))
    l.file("var/log/dpkg.log", "2023-11-14 install base-files\n2023-11-14 install curl\n")
    return l.render()


def web_layer() -> bytes:
    """Layer 3 of `web`: an app owned by uid 1000, a whiteout and an opaque apt cache."""
    l = Layer()
    l.whiteout("etc/motd")
    l.opaque("var/cache/apt")
    l.file("var/cache/apt/archives.lock", b"", mode=0o640)
    l.file("etc/passwd",
           "root:x:0:0:root:/root:/bin/sh\n"
           "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
           "www:x:1000:1000:web app:/home/www:/bin/sh\n")
    l.file("etc/group", "root:x:0:\ndaemon:x:1:\nshadow:x:42:\nwww:x:1000:\n")
    l.dir("home/www", mode=0o750, uid=1000, gid=1000)
    l.dir("home/www/public", uid=1000, gid=1000)
    l.file("home/www/public/index.html", "<h1>hello from the web sample</h1>\n", uid=1000, gid=1000)
    l.file("home/www/.profile", "export PATH=/usr/bin\n", uid=1000, gid=1000)
    l.file("usr/bin/web-server", blob("web-server", 24 * 1024), mode=0o755)
    l.file("etc/web.conf", "listen 8080\nroot /home/www/public\n")
    return l.render()


def worker_layer() -> bytes:
    """Layer 3 of `worker`: a different top layer on the same two base layers."""
    l = Layer()
    l.whiteout("usr/bin/vi")  # the symlinks to it are left dangling, as in real layers
    l.file("etc/passwd",
           "root:x:0:0:root:/root:/bin/sh\n"
           "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
           "worker:x:1000:1000:queue worker:/home/worker:/bin/sh\n")
    l.dir("home/worker", mode=0o700, uid=1000, gid=1000)
    l.file("home/worker/jobs.toml", "[queue]\nname = \"default\"\n", uid=1000, gid=1000)
    l.file("usr/bin/worker", blob("worker", 20 * 1024), mode=0o755)
    l.file("usr/bin/sudo-lite", blob("sudo-lite", 4 * 1024), mode=0o4750, gid=0)
    return l.render()


def main() -> int:
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    layers = {
        "web": [base_layer(), curl_layer(), web_layer()],
        "worker": [base_layer(), curl_layer(), worker_layer()],
        "minimal": [base_layer()],
    }
    total = 0
    for family, tars in layers.items():
        directory = os.path.join(root, "images", family)
        os.makedirs(directory, exist_ok=True)
        for n, data in enumerate(tars, start=1):
            path = os.path.join(directory, f"{n}.tar")
            with open(path, "wb") as f:
                f.write(data)
            total += len(data)
            print(f"{path}  {len(data):7d} bytes  sha256:{hashlib.sha256(data).hexdigest()[:16]}")
    print(f"total {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
