// The rear camera as a QR reader: getUserMedia + jsQR (vendored, precached), frames polled with setTimeout
// (requestAnimationFrame may never fire on a page that is not painted). Decoding pauses while a result is shown.
const FRAME_INTERVAL_MS = 150;
const MAX_FRAME_WIDTH = 640; // smaller frames decode faster; a QR held up to the phone is large anyway
const REPEAT_PAUSE_MS = 5000; // the same code still in front of the lens after "next" is not a new scan

let jsQRLoading = null;

function loadJsQR() {
  // UMD build: defines self.jsQR when imported as a module.
  jsQRLoading = jsQRLoading || import('../vendor/jsQR.js').then(() => self.jsQR);
  return jsQRLoading;
}

export class QrCamera {
  /** `video`: the <video> preview; `onText(text)`: called once per decoded code (decoding then pauses). */
  constructor(video, onText) {
    this.video = video;
    this.onText = onText;
    this.stream = null;
    this.timer = null;
    this.paused = false;
    this.last = { text: null, at: 0 };
    this.canvas = document.createElement('canvas');
    this.context = this.canvas.getContext('2d', { willReadFrequently: true });
  }

  /** Resolves to "started", "denied" (permission refused) or "unavailable" (no camera, insecure page, ...). */
  async start() {
    if (this.stream) return 'started';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return 'unavailable';
    let jsQR;
    try {
      jsQR = await loadJsQR();
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      return error && (error.name === 'NotAllowedError' || error.name === 'SecurityError') ? 'denied' : 'unavailable';
    }
    if (typeof jsQR !== 'function') return 'unavailable';
    this.jsQR = jsQR;
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.setAttribute('playsinline', '');
    try {
      await this.video.play();
    } catch (error) {
      // Autoplay refused: frames still arrive for decoding once metadata is loaded.
    }
    this.schedule();
    return 'started';
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.readFrame(), FRAME_INTERVAL_MS);
  }

  readFrame() {
    if (!this.stream) return;
    const { video } = this;
    if (!this.paused && video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
      const scale = Math.min(1, MAX_FRAME_WIDTH / video.videoWidth);
      const width = Math.round(video.videoWidth * scale);
      const height = Math.round(video.videoHeight * scale);
      if (this.canvas.width !== width || this.canvas.height !== height) {
        this.canvas.width = width;
        this.canvas.height = height;
      }
      this.context.drawImage(video, 0, 0, width, height);
      const image = this.context.getImageData(0, 0, width, height);
      const found = this.jsQR(image.data, width, height, { inversionAttempts: 'dontInvert' });
      if (found && found.data && this.isNew(found.data)) {
        this.last = { text: found.data, at: Date.now() };
        this.paused = true;
        this.onText(found.data);
      }
    }
    this.schedule();
  }

  isNew(text) {
    return text !== this.last.text || Date.now() - this.last.at > REPEAT_PAUSE_MS;
  }

  /** Stop decoding (the preview keeps running so the warden can aim). */
  pause() {
    this.paused = true;
  }

  /** Decode again; the code just handled is ignored for a few seconds if it is still in view. */
  resume() {
    this.last.at = Date.now();
    this.paused = false;
  }

  stop() {
    clearTimeout(this.timer);
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }
}
