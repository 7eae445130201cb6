"""Running the ``clinfile`` command in-process, as the tests of every verb do."""

import io

from clinfile.app.cli.common import Console
from clinfile.app.cli.main import run
from tests.conftest import PASSWORDS


class _Stdin(io.StringIO):
    """Standard input that is not a terminal, as when a script pipes passwords in."""

    def isatty(self) -> bool:
        return False


def call(argv: list[str], *stdin_lines: str) -> tuple[int, str, str]:
    """Run the CLI with the given stdin lines; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    console = Console(stdin=_Stdin("".join(f"{line}\n" for line in stdin_lines)),
                      stdout=out, stderr=err)
    code = run(argv, console)
    return code, out.getvalue(), err.getvalue()


def as_user(vault_path, user: str, verb: str, *rest: str) -> tuple[int, str, str]:
    """Run ``clinfile VERB VAULT REST...`` as one of the test vault's people."""
    return call([*verb.split(), str(vault_path), *rest, "--user", user, "--password-stdin"],
                PASSWORDS[user])
