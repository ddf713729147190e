#!/usr/bin/env python3
"""Checks the at-rest invariants of a thinimage data dir (directory pool) after recovery.

Usage: check-invariants.py DATA_DIR [STATUS_JSON_FILE]

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
"""

import hashlib
import json
import os
import sqlite3
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def listdir(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def main():
    data = sys.argv[1]
    status = None
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as f:
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
    for name in listdir(vdir):
        if not name.startswith("ti-") or not name[3:].isdigit():
            bad.append("I4 stray entry in pool/volumes: %s" % name)
            continue
        dirs.add(int(name[3:]))
    for t in sorted(dirs - set(vols)):
        bad.append("I4 volume dir ti-%d has no row (orphan)" % t)
    for t in sorted(set(vols) - dirs):
        bad.append("I4 volume row %d has no dir" % t)

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

    db.close()
    for b in bad:
        print(b)
    if bad:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
