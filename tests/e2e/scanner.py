"""Helpers shared by the browser tests that use the warden's scanner: the gate, the fake camera, the result screen."""

import shutil
import subprocess
from pathlib import Path

import qrcode
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.e2e.browser import sms_code

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"


WARDEN_PHONE = "13900000001"


GATE = {
    "name": "长滨路社区卡口",
    "kind": "community_gate",
    "address": "海南省海口市秀英区长滨路 8 号",
    "district": "460105",
}


CAMERA_FLAGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def camera_video(directory: Path, name: str, text: str) -> Path:
    """A looping fake-camera video of the QR code of `text` (a PGM image turned into y4m by ffmpeg)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    scale = 8
    size = len(matrix) * scale
    rows = b"".join(bytes(0 if dark else 255 for dark in row for _ in range(scale)) * scale for row in matrix)
    image = directory / f"{name}.pgm"
    image.write_bytes(b"P5\n%d %d\n255\n" % (size, size) + rows)
    return looping_video(image, directory / f"{name}.y4m", "scale=440:440")


def sign_in_warden(page, server, phone_number=WARDEN_PHONE):
    """Sign in by SMS code; a warden starts on the scanner."""
    page.goto(f"{server.url}/auth/sign-in")
    page.fill("input[name=phone]", phone_number)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/auth/verify")
    page.fill("input[name=code]", sms_code(page, server, phone_number))
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/warden/scan")


def wait_for_scanner_ready(page):
    """The bundle is verified and saved, and the worker controls the page and holds it for offline use."""
    expect(page.locator("[data-scanner]")).to_have_attribute("data-state", "ready")
    expect(page.locator("[data-trust-age]")).to_have_attribute("data-level", "fresh")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    try:
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=5_000)
    except PlaywrightTimeoutError:
        # The first page load raced the worker's activation (clients.claim() missed it): open it again.
        page.reload()
        expect(page.locator("[data-scanner]")).to_have_attribute("data-state", "ready")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("caches.open('onecode-pages').then((cache) => cache.match('/warden/scan')).then(Boolean)")


def result_of(page):
    screen = page.locator("[data-scan-result][data-state=shown]")
    expect(screen).to_be_visible(timeout=15_000)
    return screen


def close_result(page):
    """ "Next person" (the screen may already have closed itself after recording)."""
    page.evaluate("""() => {
        const screen = document.querySelector('[data-scan-result]');
        if (!screen.hidden) screen.querySelector('[data-result-close]').click();
    }""")
    expect(page.locator("[data-scan-result]")).to_be_hidden()


class Phone:
    """The warden's phone: one Chromium profile kept across launches; each launch films one QR code."""

    def __init__(self, browser_type, launch_args, context_args, profile: Path):
        self.browser_type, self.launch_args, self.context_args, self.profile = (
            browser_type,
            launch_args,
            context_args,
            profile,
        )
        self.context = None
        self.errors = []

    def launch(self, video: Path | None, offline: bool = False):
        self.close()
        args = [*self.launch_args.get("args", []), *CAMERA_FLAGS]
        if video:
            args.append(f"--use-file-for-fake-video-capture={video}")
        # Offline from the first moment: a queued Background Sync would otherwise fire during start-up.
        self.context = self.browser_type.launch_persistent_context(
            str(self.profile), **{**self.launch_args, "args": args}, **self.context_args, offline=offline
        )
        page = self.context.pages[0] if self.context.pages else self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def close(self):
        if self.context:
            self.context.close()
            self.context = None


def looping_video(image: Path, video: Path, scale: str) -> Path:
    """A two-second looping fake-camera video of `image`, scaled by `scale` and padded to 640×480 on white."""
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-loop", "1", "-i", str(image), "-t", "2", "-r", "10"]
        + ["-vf", f"{scale},pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p", "-pix_fmt", "yuv420p", str(video)],
        check=True,
    )
    return video
