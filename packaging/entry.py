"""The one-folder application's start: ``clinfile`` runs the verbs, ``clinfile-desk`` the window.

Both executables are built from this one script; each knows which it is by
its own name. ``freeze_support`` comes first, so a decode worker started by
either runs as a worker and not as a second Clinfile.
"""

import multiprocessing
import sys
from pathlib import Path

multiprocessing.freeze_support()

from clinfile.ui.launcher import desk, main  # noqa: E402 - after freeze_support, as it must be

if Path(sys.executable).stem.lower() == "clinfile-desk":
    desk()
else:
    main()
