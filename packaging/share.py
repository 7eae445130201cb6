"""Put the desktop entry, AppStream metainfo and icons into the built folder's ``share/``.

Run by ``make package`` after PyInstaller, so the one folder carries what a
Linux desktop needs to list Clinfile: copy its ``share/`` into
``/usr/local/share`` (or ``/usr/share``) when installing.
"""

import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "au.clinfile.Clinfile"


def main() -> None:
    """Copy packaging/linux and packaging/icons into dist/NAME-VERSION/share/."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    share = ROOT / "dist" / f"{project['name']}-{project['version']}" / "share"
    linux = ROOT / "packaging" / "linux"
    for folder, name in (("applications", f"{APP_ID}.desktop"),
                         ("metainfo", f"{APP_ID}.metainfo.xml")):
        (share / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(linux / name, share / folder / name)
    shutil.copytree(ROOT / "packaging" / "icons", share / "icons", dirs_exist_ok=True)


if __name__ == "__main__":
    main()
