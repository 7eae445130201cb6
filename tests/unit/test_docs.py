"""The practice manager's guide and the reception quick card, printed from their Markdown."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("practice-manager-guide", "reception-quick-card")


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf.read_bytes()))


def test_both_documents_print_and_the_quick_card_is_one_page(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "tools" / "docs_pdf.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    assert pages(tmp_path / "reception-quick-card.pdf") == 1
    assert pages(tmp_path / "practice-manager-guide.pdf") >= 2
    for name in DOCUMENTS:
        built = (tmp_path / f"{name}.pdf").read_bytes()
        assert built == (ROOT / "docs" / f"{name}.pdf").read_bytes(), (
            f"docs/{name}.pdf is older than its Markdown: run tools/docs_pdf.py")


def test_every_shortcut_the_quick_card_names_is_the_windows():
    card = (ROOT / "docs" / "reception-quick-card.md").read_text(encoding="utf-8")
    window = (ROOT / "src" / "clinfile" / "ui" / "main_window.py").read_text(encoding="utf-8")
    named = set(re.findall(r"\*\*((?:Ctrl\+\w+)|F\d+)\*\*", card))
    assert named >= {"Ctrl+F", "Ctrl+K", "Ctrl+Return", "Ctrl+L", "Ctrl+E", "Ctrl+R", "F1"}
    for keys in named:
        assert f'"{keys}"' in window, keys


def test_every_command_the_guide_names_is_a_verb():
    from clinfile.app.cli.main import build_parser

    verbs = set(build_parser()._subparsers._group_actions[0].choices)
    guide = (ROOT / "docs" / "practice-manager-guide.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`clinfile ([a-z-]+)", guide))
    assert named >= {"selftest", "doctor", "backup", "verify", "recover"}
    assert named <= verbs
