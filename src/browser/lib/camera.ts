// The station's camera: reads barcodes from the phone or webcam and hands each new code to the
// page's scan line. The page gives it its button, the container (views/shipping/camera.ejs: video,
// viewfinder, torch button) and two callbacks.
//
// Decoder: the browser's own BarcodeDetector where it has one (Chrome on Android, ChromeOS, macOS),
// else ZXing-C++ as WebAssembly (zxing-wasm), both files served by this server. What a decoder
// reads is taken only through createReadFilter (lib/barcode-check.ts): a passing check digit, or the
// same text in two successive frames; and once per code while it stays in sight.
import { createReadFilter, middleOf, nearestMiddle } from './barcode-check.js';

type ZXing = typeof import('zxing-wasm/reader');

/** The Barcode Detection API (not in TypeScript's DOM library). */
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string; boundingBox: DOMRectReadOnly }[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}
declare global {
  interface Window {
    BarcodeDetector?: BarcodeDetectorClass;
    /** The vendor script /public/vendor/zxing-reader.js (zxing-wasm's IIFE build) sets it. */
    ZXingWASM?: ZXing;
  }
  interface MediaTrackCapabilities {
    torch?: boolean;
  }
  interface MediaTrackConstraintSet {
    torch?: boolean;
  }
}

interface Decoder {
  name: 'native' | 'zxing';
  read(video: HTMLVideoElement): Promise<string | null>;
}

const VENDOR = '/public/vendor/';
const NATIVE_FORMATS = ['code_128', 'ean_13', 'ean_8', 'upc_a', 'itf'];
// Code 128 carries parcel IDs and SSCCs (GS1-128); EAN/UPC and ITF-14 carry GTINs. Three scan
// lines of a linear code must agree (ZXing's default is two): on ZXing's own phone photos two
// lines let through EAN-13 misreads whose check digit happened to pass (docs/decisions.md).
const ZXING_OPTIONS = {
  formats: ['Code128', 'EAN13', 'EAN8', 'UPCA', 'ITF'],
  tryHarder: true,
  minLineCount: 3,
  textMode: 'Plain',
  maxNumberOfSymbols: 4,
} as const;

const loadScript = (src: string) =>
  new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(script);
  });

const nativeDecoder = async (): Promise<Decoder | null> => {
  const Detector = window.BarcodeDetector;
  if (!Detector) return null;
  try {
    const supported = await Detector.getSupportedFormats();
    const formats = NATIVE_FORMATS.filter((f) => supported.includes(f));
    if (!formats.includes('code_128')) return null;
    const detector = new Detector({ formats });
    return {
      name: 'native',
      read: async (video) => {
        const found = await detector.detect(video);
        const reads = found.map((b) => ({
          text: b.rawValue,
          center: { x: b.boundingBox.x + b.boundingBox.width / 2, y: b.boundingBox.y + b.boundingBox.height / 2 },
        }));
        return nearestMiddle(reads, video.videoWidth, video.videoHeight);
      },
    };
  } catch {
    return null;
  }
};

let zxingReady: Promise<unknown> | null = null;
const zxingDecoder = async (): Promise<Decoder> => {
  zxingReady ??= loadScript(`${VENDOR}zxing-reader.js`).then(() =>
    window.ZXingWASM!.prepareZXingModule({
      // Never the package's default CDN: the .wasm comes from this server.
      overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? VENDOR + path : prefix + path) },
      fireImmediately: true,
    }),
  );
  try {
    await zxingReady;
  } catch (err) {
    zxingReady = null;
    throw err;
  }
  const zxing = window.ZXingWASM!;
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  return {
    name: 'zxing',
    read: async (video) => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return null;
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      context.drawImage(video, 0, 0, width, height);
      const found = await zxing.readBarcodes(context.getImageData(0, 0, width, height), { ...ZXING_OPTIONS, formats: [...ZXING_OPTIONS.formats] });
      const reads = found.filter((r) => r.isValid).map((r) => ({ text: r.text, center: middleOf(r.position) }));
      return nearestMiddle(reads, width, height);
    },
  };
};

// The next frame the camera delivers (requestVideoFrameCallback), so that two successive reads
// really are two frames; browsers without it get the next animation frame.
const nextFrame = (video: HTMLVideoElement) =>
  new Promise<void>((resolve) => {
    if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });

export interface CameraOptions {
  button: HTMLButtonElement | null;
  container: HTMLElement | null;
  /** Each new code the camera reads. */
  onCode: (code: string) => void;
  /** Why the camera stopped or could not start, in the page's words. */
  onError: (text: string) => void;
}

/** Offers the camera on the page (its button), when the browser gives one to this page. */
export function attachCamera({ button, container, onCode, onError }: CameraOptions): void {
  if (!button || !container) return;
  // Browsers give the camera to secure contexts only (HTTPS, localhost): on the LAN's plain HTTP
  // the page says where it works (the station's HTTPS address) instead of offering a dead button.
  if (!window.isSecureContext) {
    const note = document.getElementById('camera-https');
    if (note) note.hidden = false;
    return;
  }
  // Undefined in an insecure context, whatever TypeScript's DOM library says.
  if (!(navigator.mediaDevices as MediaDevices | undefined)?.getUserMedia) return;
  button.hidden = false;
  const video = container.querySelector('video')!;
  const finder = container.querySelector<HTMLElement>('.camera-finder')!;
  const torch = container.querySelector<HTMLButtonElement>('.camera-torch')!;
  const label = button.textContent;
  let session: { stream: MediaStream } | null = null;
  let decoder: Decoder | null = null;

  const stop = () => {
    if (!session) return;
    session.stream.getTracks().forEach((track) => track.stop());
    session = null;
    video.srcObject = null;
    container.hidden = true;
    torch.hidden = true;
    torch.setAttribute('aria-pressed', 'false');
    button.textContent = label;
    button.setAttribute('aria-expanded', 'false');
  };

  const run = async (current: { stream: MediaStream }, reading: Decoder) => {
    const filter = createReadFilter();
    let failures = 0;
    let active = reading;
    while (session === current) {
      await nextFrame(video);
      if (session !== current) return;
      let text: string | null = null;
      try {
        text = await active.read(video);
        failures = 0;
      } catch {
        // A native detector that lists Code 128 but fails on every frame: ZXing takes over.
        if (++failures >= 10 && active.name === 'native') {
          try {
            decoder = active = await zxingDecoder();
            container.dataset.decoder = active.name;
          } catch {
            stop();
            onError(button.dataset.decoderFailed ?? '');
            return;
          }
        }
      }
      if (session !== current) return;
      const code = filter.offer(text, performance.now());
      if (!code) continue;
      finder.classList.remove('read');
      void finder.offsetWidth;
      finder.classList.add('read');
      onCode(code);
    }
  };

  let starting = false;
  const start = async () => {
    starting = true;
    try {
      // The decoder first, so that the camera's first frames are read too.
      let ready: Decoder;
      try {
        ready = decoder ??= (await nativeDecoder()) ?? (await zxingDecoder());
      } catch {
        onError(button.dataset.decoderFailed ?? '');
        return;
      }
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
        });
      } catch {
        onError(button.dataset.unavailable ?? '');
        return;
      }
      const current = { stream };
      session = current;
      container.dataset.decoder = ready.name;
      container.hidden = false;
      video.srcObject = stream;
      try {
        await video.play();
      } catch {
        stop();
        onError(button.dataset.unavailable ?? '');
        return;
      }
      if (session !== current) return;
      const track = stream.getVideoTracks()[0];
      // A camera unplugged or taken by another app ends the track: the station says so.
      track?.addEventListener('ended', () => {
        if (session !== current) return;
        stop();
        onError(button.dataset.unavailable ?? '');
      });
      torch.hidden = !track?.getCapabilities?.().torch;
      button.textContent = button.dataset.stop ?? '';
      button.setAttribute('aria-expanded', 'true');
      void run(current, ready);
    } finally {
      starting = false;
    }
  };

  button.addEventListener('click', () => {
    if (session) stop();
    else if (!starting) void start();
  });
  torch.addEventListener('click', () => {
    const track = session?.stream.getVideoTracks()[0];
    if (!track) return;
    const on = torch.getAttribute('aria-pressed') !== 'true';
    track.applyConstraints({ advanced: [{ torch: on }] }).then(
      () => torch.setAttribute('aria-pressed', String(on)),
      () => {
        torch.hidden = true;
      },
    );
  });
  // A hidden tab keeps no camera open: the light goes off and the phone's battery is spared.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) stop();
  });
  window.addEventListener('pagehide', stop);
}
