"""Rewrite a collection tarball from `ansible-galaxy collection build` so that the same tree always gives the same bytes.

ansible-galaxy (checked up to ansible-core 2.21) stamps each build with the time of the build, and follows the tree's
incidental state; it reads no SOURCE_DATE_EPOCH:
- the gzip header's MTIME, and the tar mtime of MANIFEST.json and FILES.json, are the build's time.time();
- every other member's mtime is the file's mtime in the checkout (a fresh clone's are the time of the clone);
- FILES.json and the members follow os.listdir() order, which depends on the filesystem, not on the names.
This keeps every byte of every file and every mode, and fixes the rest: members and FILES.json entries sorted by name
(MANIFEST.json's checksum of FILES.json recomputed), every mtime and the gzip header set to one timestamp, owner
root with empty names, no file name in the gzip header.

    python reproducible_tarball.py TARBALL [--mtime EPOCH] [--tree CHECKOUT]   rewrite TARBALL in place
    python reproducible_tarball.py TARBALL --compare OTHER                     say which members differ (exit 1 if any)

The timestamp: --mtime, else SOURCE_DATE_EPOCH, else the last commit's time (git in CHECKOUT), else 1980-01-01.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

FALLBACK_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip file can hold (as wheels use)
GALAXY_MANIFEST = "MANIFEST.json"
GALAXY_FILES = "FILES.json"


def default_mtime(tree: str) -> int:
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "-C", tree, "log", "-1", "--format=%ct"], capture_output=True, text=True, check=True).stdout
        return int(out.strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return FALLBACK_EPOCH


def galaxy_json(data: dict) -> bytes:
    """JSON as ansible-galaxy writes MANIFEST.json and FILES.json (json.dumps(..., indent=True))."""
    return json.dumps(data, indent=True).encode("utf-8")


def sorted_manifests(contents: dict[str, bytes]) -> None:
    """Sort FILES.json's entries by name ('.' first, as ansible-galaxy writes it) and point MANIFEST.json at the result."""
    files = json.loads(contents[GALAXY_FILES])
    files["files"].sort(key=lambda entry: (entry["name"] != ".", entry["name"]))
    contents[GALAXY_FILES] = galaxy_json(files)
    manifest = json.loads(contents[GALAXY_MANIFEST])
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(contents[GALAXY_FILES]).hexdigest()
    contents[GALAXY_MANIFEST] = galaxy_json(manifest)


def rewrite(path: str, mtime: int) -> None:
    with tarfile.open(path, "r:gz") as source:
        members = source.getmembers()
        contents = {member.name: source.extractfile(member).read() for member in members if member.isfile()}  # type: ignore[union-attr]
    if GALAXY_MANIFEST not in contents or GALAXY_FILES not in contents:
        raise SystemExit(f"{path}: not a collection tarball (no {GALAXY_MANIFEST} and {GALAXY_FILES})")
    sorted_manifests(contents)
    first = {GALAXY_MANIFEST: 0, GALAXY_FILES: 1}
    members.sort(key=lambda member: (first.get(member.name, 2), member.name))

    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as target:
        for member in members:
            member.mtime = mtime
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            member.pax_headers = {}
            if member.isfile():
                member.size = len(contents[member.name])
                target.addfile(member, io.BytesIO(contents[member.name]))
            else:
                target.addfile(member)
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=mtime, compresslevel=9) as archive:
        archive.write(tar_bytes.getvalue())

    temporary = f"{path}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(compressed.getvalue())
    os.replace(temporary, path)


def members(path: str) -> dict[str, tuple]:
    """Each member's name -> (mode, mtime, type, content or link target)."""
    found = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member) if member.isfile() else None
            found[member.name] = (member.mode, member.mtime, member.type, handle.read() if handle else member.linkname)
    return found


def compare(path: str, other: str) -> int:
    """Print which members of two tarballs differ (name, mode, mtime or content), or that only the compressed bytes do."""
    try:
        first, second = members(path), members(other)
    except (OSError, tarfile.TarError) as error:
        print(f"cannot compare: {error}")
        return 1
    names = sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))
    if names:
        print(f"{len(names)} members differ: {', '.join(names[:10])}")
        return 1
    with open(path, "rb") as handle_a, open(other, "rb") as handle_b:
        same = handle_a.read() == handle_b.read()
    print("identical" if same else "the same members; only the gzip stream differs")
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball")
    parser.add_argument("--mtime", type=int, help="seconds since the epoch (default: SOURCE_DATE_EPOCH, the last commit's time, 1980-01-01)")
    parser.add_argument("--tree", default=os.getcwd(), help="the checkout the tarball was built from, for the last commit's time")
    parser.add_argument("--compare", metavar="OTHER", help="compare with another tarball instead of rewriting")
    args = parser.parse_args()
    if args.compare:
        return compare(args.tarball, args.compare)
    rewrite(args.tarball, args.mtime if args.mtime is not None else default_mtime(args.tree))
    return 0


if __name__ == "__main__":
    sys.exit(main())
