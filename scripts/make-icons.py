"""Write the app icons (app/static/icons/icon-192.png, icon-512.png) without an imaging library.

A green tile with a white rounded card holding a QR pattern, kept inside the maskable safe zone.
Run: .venv/bin/python scripts/make-icons.py
"""

import struct
import zlib
from pathlib import Path

import qrcode

GREEN, WHITE, INK = (0x1B, 0x6E, 0x3C), (0xFF, 0xFF, 0xFF), (0x12, 0x3D, 0x22)


def icon_pixels(size: int) -> list[list[tuple]]:
    qr = qrcode.QRCode(version=1, border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data("YMT1")
    matrix = qr.get_matrix()
    cells = len(matrix)
    card = int(size * 0.62)  # inside the 80 % maskable safe zone
    start = (size - card) // 2
    pad = card // 10
    module = (card - 2 * pad) / cells
    radius = card // 8
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            cx, cy = x - start, y - start
            inside = 0 <= cx < card and 0 <= cy < card and _in_rounded(cx, cy, card, radius)
            colour = GREEN
            if inside:
                colour = WHITE
                mx, my = int((cx - pad) // module), int((cy - pad) // module)
                if 0 <= mx < cells and 0 <= my < cells and cx >= pad and cy >= pad and matrix[my][mx]:
                    colour = INK
            row.append(colour)
        rows.append(row)
    return rows


def _in_rounded(x, y, side, r):
    nx = min(x, side - 1 - x)
    ny = min(y, side - 1 - y)
    if nx >= r or ny >= r:
        return True
    return (r - nx) ** 2 + (r - ny) ** 2 <= r * r


def png(rows) -> bytes:
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    folder = Path(__file__).resolve().parent.parent / "app" / "static" / "icons"
    folder.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (folder / f"icon-{size}.png").write_bytes(png(icon_pixels(size)))
        print(f"wrote {folder / f'icon-{size}.png'}")
