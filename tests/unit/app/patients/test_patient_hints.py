from datetime import date

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from clinfile.app.patients.hints import (
    barcode_texts,
    hints_from_filename,
    hints_from_image,
    label_query,
)


@pytest.mark.parametrize(("name", "names", "born"), [
    ("John Smith 12-03-1980.jpg", ("john", "smith"), date(1980, 3, 12)),
    ("smith_j_dob120380.heic", ("smith", "j"), date(1980, 3, 12)),
    ("Nguyen.Mai.05.06.1990.JPG", ("nguyen", "mai"), date(1990, 6, 5)),
    ("mai nguyen rash left arm.jpg", ("mai", "nguyen"), None),
    ("O'Brien, Mary-Anne 1980-03-12 wound day 3.png", ("obrien", "mary", "anne"),
     date(1980, 3, 12)),
])
def test_people_s_filenames_give_names_and_date_of_birth(name, names, born):
    query = hints_from_filename(name)
    assert query.names == names
    assert query.birth_dates == ((born,) if born else ())


@pytest.mark.parametrize("name", ["IMG_20240312_101530.jpg", "PXL_20231201_093012345.jpg",
                                  "WhatsApp Image 2024-03-12 at 10.15.30.jpeg", "DSC01234.JPG",
                                  "photo (3).png", "IMG_1234.HEIC"])
def test_camera_filenames_give_nothing(name):
    assert hints_from_filename(name).empty


@pytest.mark.parametrize(("content", "names", "numbers", "codes"), [
    ("MRN: 123456", (), ("123456",), ()),
    ("SMITH^JOHN^19800312^M^123456", ("smith", "john"), ("19800312", "123456"), ()),
    ("UR 123456 SMITH, John DOB 12/03/1980", ("smith", "john"), ("123456",), ()),
    ("MRN:A12345;NAME:SMITH, JOHN;DOB:12/03/1980", ("smith", "john"), (), ("a12345",)),
])
def test_label_contents_are_read(content, names, numbers, codes):
    query = label_query(content)
    assert (query.names, query.numbers, query.codes) == (names, numbers, codes)


def _label_photo(path, content: str, fmt) -> None:
    symbol = zxingcpp.create_barcode(content, fmt).to_image(scale=4)
    view = memoryview(symbol)
    code = Image.frombytes("L", (view.shape[1], view.shape[0]), bytes(view))
    photo = Image.new("RGB", (1200, 900), (205, 170, 150))
    label = Image.new("RGB", (code.width + 80, code.height + 120), "white")
    ImageDraw.Draw(label).text((40, code.height + 60), "SMITH, John  12/03/1980", fill="black")
    label.paste(code.convert("RGB"), (40, 40))
    photo.paste(label, (300, 200))
    photo.save(path, quality=92)


def test_a_qr_code_on_a_label_in_a_photo_gives_its_patient(tmp_path):
    path = tmp_path / "IMG_0001.jpg"
    _label_photo(path, "MRN:100001^SMITH^JOHN^19800312", zxingcpp.BarcodeFormat.QRCode)
    [query] = hints_from_image(path)
    assert query.numbers[0] == "100001" and query.names == ("smith", "john")
    assert query.birth_dates == (date(1980, 3, 12),)


def test_a_linear_barcode_with_the_record_number_is_read(tmp_path):
    path = tmp_path / "label.png"
    _label_photo(path, "100234", zxingcpp.BarcodeFormat.Code128)
    assert barcode_texts(path) == ["100234"]


def test_a_photo_without_a_label_gives_no_hints(tmp_path):
    path = tmp_path / "rash.jpg"
    Image.new("RGB", (640, 480), (200, 160, 140)).save(path)
    assert hints_from_image(path) == []


def test_label_pictures_may_come_as_bytes_and_other_formats_are_refused(tmp_path):
    path = tmp_path / "label.png"
    _label_photo(path, "100234", zxingcpp.BarcodeFormat.Code128)
    assert barcode_texts(path.read_bytes()) == ["100234"]
    Image.open(path).save(tmp_path / "label.tiff")
    with pytest.raises(OSError):
        barcode_texts(tmp_path / "label.tiff")
