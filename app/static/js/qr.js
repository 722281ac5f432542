// Drawing the QR code in the browser (qrcode-generator, vendored; no network).
import qrcode from '../vendor/qrcode.esm.js';

/** Draw `text` on `canvas` with a quiet zone, crisp at the device's pixel ratio. */
export function drawQr(canvas, text) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const modules = qr.getModuleCount();
  const quiet = 4;
  const cells = modules + quiet * 2;
  const cssSize = Math.min(320, Math.floor((canvas.parentElement?.clientWidth || 320)));
  const scale = Math.max(1, Math.floor((cssSize * (self.devicePixelRatio || 1)) / cells));
  canvas.width = canvas.height = cells * scale;
  canvas.style.width = canvas.style.height = `${cssSize}px`;
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#000000';
  for (let row = 0; row < modules; row += 1) {
    for (let col = 0; col < modules; col += 1) {
      if (qr.isDark(row, col)) context.fillRect((col + quiet) * scale, (row + quiet) * scale, scale, scale);
    }
  }
}
