#!/usr/bin/env python3
"""Checks the at-rest invariants of a thinimage data dir after recovery.

Usage: check-invariants.py DATA_DIR [STATUS_JSON_FILE] [--dm-pool POOL] [--mount-root DIR]
                           [--gc GC_JSON_FILE]

Without --dm-pool the data dir is on the directory pool; with it, on the devicemapper thin-pool
POOL (run as root: it reads `dmsetup ls`). --gc is the output of `gc --dry-run --output json`.

Run it only when no thinimage process is running on DATA_DIR and after a lock-taking command
has reconciled it. Prints one line per violation and exits 1 if there is any, else prints
"ok" and exits 0. The invariants (see docs/RELIABILITY.md):

  I1  PRAGMA integrity_check is "ok" and foreign_key_check is empty.
  I2  every image row is READY (every image converged).
  I3  no run is in flight or failed (fsm_runs.status) and status agrees.
  I4  every volume row is READY and has its directory pool/volumes/ti-<thin_id>; every
      directory under pool/volumes has exactly one row.
  I5  every ACTIVATION volume belongs to exactly one ACTIVE activation and every ACTIVE
      activation has its volume; INACTIVE activations have no volume.
  I6  every blob file blobs/sha256/<hex> has a row and every row its file; the file's sha256
      equals its name and its size equals the row's size.
  I7  no temp files: blobs/partial, pool/tmp and mounts/ are empty.

On devicemapper (--dm-pool), I4 checks devices instead of directories, and:

  I8  every device `dmsetup ls` lists as <pool>-ti-<n> has exactly one owning record: a volume
      row with thin_id n, and for an ACTIVATION volume exactly one ACTIVE activation (I5); no
      other device name starts with <pool>-. Every ACTIVE activation has its device
      /dev/mapper/<pool>-ti-<thin_id> (device_path says so and dmsetup lists it); an INACTIVE
      activation's thin id has no device.
  I9  nothing is mounted under the mount root (default DATA_DIR/mounts) and no device of ours is
      mounted anywhere (/proc/self/mountinfo).
  I10 (--gc) the gc dry run found nothing.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def listdir(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def parse_args(argv):
    """Positional DATA_DIR [STATUS_JSON] plus --dm-pool, --mount-root and --gc."""
    pos, opts = [], {}
    i = 0
    while i < len(argv):
        if argv[i] in ("--dm-pool", "--mount-root", "--gc"):
            if i + 1 >= len(argv):
                sys.exit("check-invariants: %s needs a value" % argv[i])
            opts[argv[i][2:]] = argv[i + 1]
            i += 2
        else:
            pos.append(argv[i])
            i += 1
    if not pos:
        sys.exit(__doc__)
    return pos, opts


def unescape_mountinfo(field):
    """mountinfo escapes space, tab, newline and backslash as \\ooo octal."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 4 <= len(field) and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def dm_devices():
    """Names `dmsetup ls` lists (empty when there are none)."""
    out = subprocess.run(["dmsetup", "ls"], capture_output=True, text=True, check=True).stdout
    names = []
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] != "No":
            names.append(parts[0])
    return names


def check_devicemapper(cur, pool, mount_root, vols, bad):
    """I8 and I9: the kernel side agrees with the database."""
    prefix = pool + "-ti-"
    devices = {}
    for name in dm_devices():
        if name.startswith(prefix):
            rest = name[len(prefix):]
            if rest.isdigit() and str(int(rest)) == rest:
                devices[int(rest)] = name
            else:
                bad.append("I8 device %s is not a name we produce" % name)
        elif name.startswith(pool + "-"):
            bad.append("I8 stray device %s" % name)
    acts = list(cur.execute("SELECT id, state, thin_id, device_path FROM activations"))
    active = {}
    for aid, state, thin, path in acts:
        if state == "ACTIVE":
            active.setdefault(thin, []).append(aid)
            if thin not in devices:
                bad.append("I8 active activation %s has no device %s%s" % (aid, prefix, thin))
            if path != "/dev/mapper/%s%d" % (prefix, thin):
                bad.append("I8 active activation %s has device_path %s" % (aid, path))
    inactive_thins = {thin for _, state, thin, _ in acts if state == "INACTIVE"}
    for thin, name in sorted(devices.items()):
        if thin not in vols:
            bad.append("I8 device %s has no volume row (orphan)" % name)
            continue
        if vols[thin][0] == "ACTIVATION" and len(active.get(thin, [])) != 1:
            bad.append("I8 device %s is owned by %d active activations" % (name, len(active.get(thin, []))))
        if thin in inactive_thins and thin not in active:
            bad.append("I8 device %s belongs to an inactive activation" % name)

    root = os.path.realpath(mount_root)
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            point = unescape_mountinfo(fields[4])
            source = unescape_mountinfo(fields[fields.index("-") + 2]) if "-" in fields else ""
            if point == root or point.startswith(root + "/"):
                bad.append("I9 %s is mounted on %s" % (source, point))
            elif source.startswith("/dev/mapper/" + prefix):
                bad.append("I9 our device %s is mounted on %s" % (source, point))


def main():
    pos, opts = parse_args(sys.argv[1:])
    data = pos[0]
    pool = opts.get("dm-pool")
    status = None
    if len(pos) > 1:
        with open(pos[1], encoding="utf-8") as f:
            status = json.load(f)
    bad = []
    db = sqlite3.connect("file:" + os.path.join(data, "thinimage.db") + "?mode=ro", uri=True)
    cur = db.cursor()

    ic = [r[0] for r in cur.execute("PRAGMA integrity_check")]
    if ic != ["ok"]:
        bad.append("I1 integrity_check: %s" % ic)
    fk = list(cur.execute("PRAGMA foreign_key_check"))
    if fk:
        bad.append("I1 foreign_key_check: %s" % fk)

    for iid, state in cur.execute("SELECT id, state FROM images"):
        if state != "READY":
            bad.append("I2 image %s is %s" % (iid, state))

    live = list(cur.execute("SELECT id, type, state FROM fsm_runs WHERE status = 'ACTIVE'"))
    if live:
        bad.append("I3 runs in flight: %s" % live[:5])
    failed = list(cur.execute("SELECT id, type, state, error_code FROM fsm_runs WHERE status = 'FAILED'"))
    if failed:
        bad.append("I3 failed runs: %s" % failed[:5])
    if status is not None:
        if status["counts"].get("activeRuns", 0) != 0:
            bad.append("I3 status activeRuns=%s" % status["counts"]["activeRuns"])

    vols = {}
    for thin, kind, state in cur.execute("SELECT thin_id, kind, state FROM volumes"):
        vols[thin] = (kind, state)
        if state != "READY":
            bad.append("I4 volume %s (%s) is %s" % (thin, kind, state))
    vdir = os.path.join(data, "pool", "volumes")
    dirs = set()
    for name in ([] if pool else listdir(vdir)):
        if not name.startswith("ti-") or not name[3:].isdigit():
            bad.append("I4 stray entry in pool/volumes: %s" % name)
            continue
        dirs.add(int(name[3:]))
    for t in sorted(dirs - set(vols)):
        bad.append("I4 volume dir ti-%d has no row (orphan)" % t)
    for t in sorted(set(vols) - dirs) if not pool else []:
        bad.append("I4 volume row %d has no dir" % t)
    if pool:
        check_devicemapper(cur, pool, opts.get("mount-root", os.path.join(data, "mounts")), vols, bad)

    acts = list(cur.execute("SELECT id, state, thin_id FROM activations"))
    active_thins = {}
    for aid, state, thin in acts:
        if state == "ACTIVE":
            if thin in active_thins:
                bad.append("I5 thin %s owned by two activations" % thin)
            active_thins[thin] = aid
            if thin not in vols or vols[thin][0] != "ACTIVATION":
                bad.append("I5 active activation %s has no volume %s" % (aid, thin))
        elif state == "INACTIVE":
            if thin in vols:
                bad.append("I5 inactive activation %s still has volume %s" % (aid, thin))
        else:
            bad.append("I5 activation %s is %s" % (aid, state))
    for thin, (kind, _) in vols.items():
        if kind == "ACTIVATION" and thin not in active_thins:
            bad.append("I5 activation volume %s has no active activation" % thin)

    bcols = [r[1] for r in cur.execute("PRAGMA table_info(blobs)")]
    dcol = "digest" if "digest" in bcols else bcols[0]
    scol = "size" if "size" in bcols else ("size_bytes" if "size_bytes" in bcols else None)
    rows = {}
    for r in cur.execute("SELECT %s%s FROM blobs" % (dcol, (", " + scol) if scol else "")):
        hexd = r[0].split(":", 1)[-1]
        rows[hexd] = r[1] if scol else None
    bdir = os.path.join(data, "blobs", "sha256")
    files = set(listdir(bdir))
    for f in sorted(files - set(rows)):
        bad.append("I6 blob file %s has no row" % f)
    for f in sorted(set(rows) - files):
        bad.append("I6 blob row %s has no file" % f)
    for f in sorted(files):
        p = os.path.join(bdir, f)
        got = sha256(p)
        if got != f:
            bad.append("I6 blob %s has sha256 %s" % (f, got))
        if rows.get(f) is not None and os.path.getsize(p) != rows[f]:
            bad.append("I6 blob %s size %d != row %d" % (f, os.path.getsize(p), rows[f]))

    for sub in ("blobs/partial", "pool/tmp", "mounts"):
        left = listdir(os.path.join(data, sub))
        if left:
            bad.append("I7 temp files left in %s: %s" % (sub, left[:5]))

    if "gc" in opts:
        try:
            with open(opts["gc"], encoding="utf-8") as f:
                gc = json.load(f)
            if gc.get("count", 0) != 0 or gc.get("findings"):
                bad.append("I10 gc --dry-run found: %s" % gc.get("findings", [])[:5])
        except (OSError, ValueError) as e:
            bad.append("I10 gc output unreadable: %s" % e)

    db.close()
    for b in bad:
        print(b)
    if bad:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
