"""Receipts on paper and in PDF: the receipt text rendered as an ESC/POS job (python-escpos's Dummy
printer, a real printer's socket on loopback, a device file) and as a PDF (read back with pypdf),
at 48 and 42 characters; and every way printing can fail, as a sentence."""

from __future__ import annotations

import io
import socket
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from desk_tui.client.receipt_layout import narrowed
from desk_tui.client.receipt_printer import PrintFailed, destination, escpos_bytes, pdf_bytes, print_receipt

# As server/sales/receipt.py writes it: 48 wide, amount rows flush right, a VAT summary 42 wide.
RECEIPT = """Bella Salon & Spa
Downtown
2026-03-02 10:15
Sale sal_test123
Customer: Kovács Anna
------------------------------------------------
Manicure — from 5x Manicure, 3 of 5 used
  1 × 8 000 HUF, VAT 27%       covered 8 000 HUF
Cuticle Oil
  2 × 3 500 HUF, VAT 27%               7 000 HUF
------------------------------------------------
Subtotal                              15 000 HUF
Covered by packages and memberships   −8 000 HUF
Total                                  7 000 HUF
Paid: Cash                             7 000 HUF
------------------------------------------------
VAT summary (HUF)
Rate           Net         VAT       Gross
27%          5 512       1 488       7 000
"""


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_receipt_is_laid_out_for_a_42_character_printer():
    lines = narrowed(RECEIPT, 42)
    assert max(len(x) for x in lines) <= 42
    assert "Total" + " " * (42 - len("Total") - len("7 000 HUF")) + "7 000 HUF" in lines
    assert "-" * 42 in lines
    # A row too long for one line keeps both parts: the words, then the amount flush right.
    i = lines.index("Covered by packages and memberships")
    assert lines[i + 1] == "−8 000 HUF".rjust(42)
    assert narrowed(RECEIPT, 48) == RECEIPT.rstrip("\n").split("\n")


@pytest.mark.parametrize("width", [48, 42])
def test_the_escpos_job_carries_every_line_and_a_cut(width):
    job = escpos_bytes(RECEIPT, width=width)
    assert b"Bella Salon & Spa\n" in job
    assert b"Manicure - from 5x Manicure, 3 of 5 used" in job
    assert b"27%          5 512       1 488       7 000" in job
    total = "Total".ljust(width - len("7 000 HUF")) + "7 000 HUF"
    assert total.encode() in job
    assert job.rstrip().endswith(b"\x1dVA\x00") or b"\x1dV" in job[-8:], job[-16:]


@pytest.mark.parametrize("width", [48, 42])
def test_the_pdf_reads_back_as_the_receipt(width):
    text = pdf_text(pdf_bytes(RECEIPT, width=width, title="Receipt sal_test123"))
    for words in ("Bella Salon & Spa", "Sale sal_test123", "Cuticle Oil", "VAT summary (HUF)",
                  "5 512", "1 488", "Paid: Cash"):
        assert words in text, text


def test_a_pdf_is_saved_in_the_folder_the_setting_names(tmp_path):
    folder = tmp_path / "receipts" / "march"
    said = print_receipt(RECEIPT, setting=f"pdf:{folder}", sale_id="sal_test123", width=42)
    saved = folder / "receipt-sal_test123.pdf"
    assert said == f"The receipt was saved as {saved}."
    assert "Kov" in pdf_text(saved.read_bytes()) and "7 000 HUF" in pdf_text(saved.read_bytes())


def test_a_network_printer_receives_the_job(tmp_path):
    received = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def printer() -> None:
            conn, _ = server.accept()
            with conn:
                while chunk := conn.recv(65536):
                    received.extend(chunk)

        thread = threading.Thread(target=printer)
        thread.start()
        said = print_receipt(RECEIPT, setting=f"escpos-network:127.0.0.1:{port}", sale_id="sal_test123")
        thread.join(timeout=30)
    assert said == f"The receipt was sent to the printer at 127.0.0.1:{port}."
    assert bytes(received) == escpos_bytes(RECEIPT, width=48)


def test_a_printer_that_is_a_file_receives_the_job(tmp_path):
    device = tmp_path / "lp0"
    said = print_receipt(RECEIPT, setting=f"escpos-file:{device}", sale_id="sal_test123", width=42)
    assert said == f"The receipt was sent to the printer at {device}."
    assert device.read_bytes() == escpos_bytes(RECEIPT, width=42)


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


@pytest.mark.parametrize(("setting", "words"), [
    ("none", "No receipt printer is set up"),
    ("laser", "is not one this desk knows"),
    ("escpos-usb:zz:1", "two hex numbers"),
    ("escpos-network:printer.local:http", "not a port number"),
    ("escpos-file:/nonexistent-dir/lp0", "could not be reached"),
])
def test_what_cannot_be_printed_is_said(setting, words, tmp_path):
    with pytest.raises(PrintFailed) as failed:
        print_receipt(RECEIPT, setting=setting, sale_id="sal_test123")
    assert words in str(failed.value)


def test_a_network_printer_that_does_not_answer_is_named():
    port = closed_port()
    with pytest.raises(PrintFailed) as failed:
        print_receipt(RECEIPT, setting=f"escpos-network:127.0.0.1:{port}", sale_id="sal_test123")
    assert str(failed.value).startswith(f"The receipt was not printed: the printer at 127.0.0.1:{port} could not "
                                        "be reached (")
    assert str(failed.value).endswith(").") and "))" not in str(failed.value) and "Errno" not in str(failed.value)


def test_a_folder_that_cannot_be_written_is_named(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    with pytest.raises(PrintFailed) as failed:
        print_receipt(RECEIPT, setting=f"pdf:{blocked}", sale_id="sal_test123")
    assert str(failed.value).startswith(f"The receipt could not be saved in {blocked}:")


def test_the_setting_is_read():
    assert destination("escpos-usb:04b8:0202").words == "the USB printer 04b8:0202"
    assert destination("escpos-network:10.0.0.9").port == 9100
    assert destination("pdf:~/receipts").target == str(Path("~/receipts").expanduser())
