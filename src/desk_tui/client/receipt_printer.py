"""Receipts people take home: the sale's receipt text on the till's ESC/POS printer, or as a PDF.

Where it goes is the client's ``receipt_printer`` setting (client/settings.py):

    none                              (the default) nothing is printed
    pdf:<folder>                      receipt-<sale id>.pdf in that folder (made if missing)
    escpos-usb:<VID>:<PID>            a USB printer by its vendor and product id, hex (04b8:0202)
    escpos-network:<host>[:<port>]    a printer on the network, raw port 9100 unless given
    escpos-file:<device>              a printer the system shows as a file (/dev/usb/lp0)

``receipt_width`` is the printer's line in characters (48 on 80 mm paper in font A, 42 on
narrower heads or font B). The server writes the receipt 48 wide (server/sales/receipt.py); a
narrower line re-lays each "left … right" row (receipt_layout.py).

python-escpos and fpdf2 are imported only here, and only when a receipt is printed: the app's
start-up never pays for them (tests/ui/test_startup_imports.py). Every outcome is one plain
sentence, where the receipt went or why it did not (:class:`PrintFailed`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from desk_tui.client.receipt_layout import narrowed, printable

Kind = Literal["none", "pdf", "escpos-usb", "escpos-network", "escpos-file"]
KINDS: tuple[Kind, ...] = ("none", "pdf", "escpos-usb", "escpos-network", "escpos-file")
WIDTHS = (42, 48)
RAW_PORT = 9100
#: seconds a network printer has to answer before the desk is told it did not
NETWORK_TIMEOUT = 5.0
SETTING = "receipt_printer in config.toml"


class PrintFailed(Exception):
    """The receipt did not reach paper or a file; the message is the sentence for the desk."""


@dataclass(frozen=True, slots=True)
class Destination:
    kind: Kind
    #: the folder, the device file, the host, or "VID:PID"
    target: str = ""
    port: int = RAW_PORT
    vendor: int = 0
    product: int = 0

    @property
    def words(self) -> str:
        """Where, as the desk is told: "the printer at 192.168.1.50:9100"."""
        if self.kind == "escpos-network":
            return f"the printer at {self.target}:{self.port}"
        if self.kind == "escpos-usb":
            return f"the USB printer {self.vendor:04x}:{self.product:04x}"
        if self.kind == "escpos-file":
            return f"the printer at {self.target}"
        return self.target


def destination(setting: str) -> Destination:
    """The setting read, or :class:`PrintFailed` saying what is wrong with it."""
    kind, _, rest = setting.strip().partition(":")
    kind = kind.strip().lower()
    if kind == "none" and not rest:
        return Destination("none")
    if kind == "pdf" and rest.strip():
        return Destination("pdf", str(Path(rest.strip()).expanduser()))
    if kind == "escpos-file" and rest.strip():
        return Destination("escpos-file", rest.strip())
    if kind == "escpos-network" and rest.strip():
        host, _, port = rest.strip().rpartition(":") if rest.count(":") == 1 else (rest.strip(), "", "")
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise PrintFailed(f"The receipt printer's port {port!r} is not a port number; check {SETTING}.")
        return Destination("escpos-network", host or rest.strip(), port=int(port) if port else RAW_PORT)
    if kind == "escpos-usb":
        vendor, _, product = rest.strip().partition(":")
        try:
            return Destination("escpos-usb", rest.strip(), vendor=int(vendor, 16), product=int(product, 16))
        except ValueError:
            raise PrintFailed(f"A USB receipt printer is named by two hex numbers, escpos-usb:04b8:0202; "
                              f"check {SETTING}.") from None
    raise PrintFailed(f"The receipt printer setting {setting.strip()!r} is not one this desk knows: use none, "
                      f"pdf:FOLDER, escpos-usb:VID:PID, escpos-network:HOST[:PORT] or escpos-file:DEVICE "
                      f"({SETTING}).")


def escpos_bytes(text: str, *, width: int = 48) -> bytes:
    """The ESC/POS job for the receipt: its lines at ``width``, a feed and a cut."""
    from escpos.printer import Dummy

    job = Dummy()
    for line in narrowed(text, width):
        job.textln(printable(line))
    job.cut()
    return bytes(job.output)


def pdf_bytes(text: str, *, width: int = 48, title: str = "Receipt") -> bytes:
    """The receipt as a one-page PDF the width of a till roll, in a monospaced font."""
    from fpdf import FPDF

    lines = narrowed(text, width)
    size, margin = 9.0, 5.0  # points; millimetres
    font, family = _unicode_font(), "Courier"
    char_mm = size * 0.6 * 25.4 / 72  # a monospaced glyph is 0.6 em wide
    line_mm = size * 1.25 * 25.4 / 72
    pdf = FPDF(unit="mm", format=(width * char_mm + 2 * margin, len(lines) * line_mm + 2 * margin))
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("desk-tui")
    if font is not None:
        pdf.add_font("Receipt", "", str(font))
        family = "Receipt"
    pdf.add_page()
    pdf.set_font(family, size=size)
    for line in lines:
        pdf.cell(text=line if font is not None else _latin1(line), new_x="LMARGIN", new_y="NEXT",
                 h=line_mm)
    return bytes(pdf.output())


#: monospaced fonts with accents and dashes, where systems keep them; without one the PDF uses
#: the built-in Courier, which has Latin-1 only
_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
          "/usr/share/fonts/dejavu/DejaVuSansMono.ttf",
          "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
          "/Library/Fonts/Courier New.ttf",
          "C:/Windows/Fonts/cour.ttf")


def _unicode_font() -> Path | None:
    return next((Path(x) for x in _FONTS if Path(x).is_file()), None)


def _latin1(line: str) -> str:
    return printable(line).encode("latin-1", "replace").decode("latin-1")


def print_receipt(text: str, *, setting: str, sale_id: str, width: int = 48) -> str:
    """Send the receipt where ``setting`` says; the sentence says where it went. Blocking (a
    network printer may take seconds): the app calls it from a worker."""
    if width not in WIDTHS:
        raise PrintFailed(f"A receipt line is 42 or 48 characters, not {width}; check receipt_width in config.toml.")
    where = destination(setting)
    if where.kind == "none":
        raise PrintFailed(f"No receipt printer is set up: set {SETTING} (a printer, or pdf:FOLDER).")
    if where.kind == "pdf":
        return _save_pdf(text, Path(where.target), sale_id=sale_id, width=width)
    job = escpos_bytes(text, width=width)
    printer = _open(where)
    try:
        printer._raw(job)
    except (OSError, ValueError) as exc:
        raise PrintFailed(f"The receipt did not reach {where.words}: {_reason(exc)}.") from exc
    finally:
        printer.close()
    return f"The receipt was sent to {where.words}."


def _save_pdf(text: str, folder: Path, *, sale_id: str, width: int) -> str:
    path = folder / f"receipt-{sale_id}.pdf"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf_bytes(text, width=width, title=f"Receipt {sale_id}"))
    except OSError as exc:
        raise PrintFailed(f"The receipt could not be saved in {folder}: {_reason(exc)}.") from exc
    return f"The receipt was saved as {path}."


def _open(where: Destination):  # type: ignore[no-untyped-def]  # python-escpos has no type hints
    from escpos.exceptions import Error as EscposError
    from escpos.printer import File, Network, Usb

    if where.kind == "escpos-network":
        printer = Network(where.target, port=where.port, timeout=NETWORK_TIMEOUT)
    elif where.kind == "escpos-usb":
        printer = Usb(where.vendor, where.product)
    else:
        printer = File(where.target)
    try:
        printer.open()
    except (EscposError, OSError, RuntimeError, ValueError) as exc:  # pyusb without libusb: ValueError
        raise PrintFailed(f"The receipt was not printed: {where.words} could not be reached "
                          f"({_reason(exc)}).") from exc
    return printer


def _reason(exc: BaseException) -> str:
    """The cause in a few words: "Connection refused", not python-escpos's "Could not open socket
    for HOST:\n[Errno 111] Connection refused" (its last line, without the errno)."""
    lines = [x.strip() for x in str(exc).splitlines() if x.strip()]
    said = re.sub(r"^\[Errno -?\d+\]\s*", "", lines[-1]) if lines else type(exc).__name__
    if said.count(")") > said.count("("):  # its "Device not found (…)" wrapper, cut by the line split
        said = said.removesuffix(")")
    if said == "No backend available":  # pyusb without the libusb library
        said = "libusb, which USB printers need, is not installed"
    return said[:120]
