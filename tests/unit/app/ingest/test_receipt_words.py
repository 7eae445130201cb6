from pathlib import Path

from clinfile.app.ingest import events as ev
from clinfile.app.ingest.receipt import ImportReceipt, disk_full


def test_many_photos_kept_for_a_full_disk_are_told_why_in_the_plural():
    chosen = [Path(f"/phone/DCIM/IMG_{n}.JPG") for n in range(3)]
    receipt = ImportReceipt("PHONE", chosen, delete=True)
    for path in chosen:
        receipt.add(ev.SourceKept(path, disk_full(Path("/vault"))))
    receipt.close(cancelled=False, device_present=True, still_there=lambda _path: True)
    words = receipt.headline()
    assert ("3 photos not read and are still on the phone (IMG_0.JPG, IMG_1.JPG, IMG_2.JPG). "
            "The disk holding /vault is full, so these pictures could not be stored; the files "
            "were left where they are and nothing in the vault was lost. Make room on that "
            "disk, then import again.") in words
    assert "See each one below" not in words
