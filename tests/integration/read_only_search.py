"""Log in, make the vault read-only, then search: run by a test as a process of its own.

The login writes (its audit row), so the vault is made read-only after it,
as a folder whose media turns read-only under an open session would be. Root
ignores permissions, so root runs this without the capabilities that let it
(:func:`command`). Each search's answer is printed as a line of JSON, after a
line saying whether writing was refused and the index file's SHA-256 then.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

from clinfile.app.patients.service import PatientService
from clinfile.app.security.session import Session


def command(vault: Path, user: str, searches: list[str]) -> list[str]:
    """The command line that runs this for a vault, held to permissions even as root."""
    run = [sys.executable, "-m", "tests.integration.read_only_search", str(vault), user,
           *searches]
    if os.geteuid() != 0:
        return run
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", *run]


def make_read_only(folder: Path) -> None:
    """Take away every write permission on the folder and its files."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)


def writing_refused(folder: Path) -> bool:
    """Whether a new file in the folder is refused."""
    try:
        (folder / "write-probe").touch()
    except PermissionError:
        return True
    return False


def main(vault: Path, user: str, searches: list[str]) -> None:
    session = Session.login(vault, user, sys.stdin.readline().rstrip("\n"))
    make_read_only(vault)
    digest = hashlib.sha256((vault / "index.db").read_bytes()).hexdigest()
    sys.stdout.write(json.dumps([writing_refused(vault), digest]) + "\n")
    service = PatientService(session)
    for typed in searches:
        found = [c.display_name for c in service.search(typed).candidates]
        sys.stdout.write(json.dumps(found) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3:])
