// The station's camera: reads barcodes from the phone or webcam and hands each new code to the
// page's scan line. The page gives it its button, the container (views/shipping/camera.ejs: video,
// viewfinder, torch button) and two callbacks.
//
// Decoder: the browser's own BarcodeDetector where it has one (Chrome on Android, ChromeOS, macOS),
// else ZXing-C++ as WebAssembly (zxing-wasm), both files served by this server. What a decoder
// reads is taken only through BarcodeCheck.createReadFilter (barcode-check.js): a passing check
// digit, or the same text in two successive frames; and once per code while it stays in sight.
(() => {
  const VENDOR = '/public/vendor/';
  const NATIVE_FORMATS = ['code_128', 'ean_13', 'ean_8', 'upc_a', 'itf'];
  // Code 128 carries parcel IDs and SSCCs (GS1-128); EAN/UPC and ITF-14 carry GTINs. Three scan
  // lines of a linear code must agree (ZXing's default is two): on ZXing's own phone photos two
  // lines let through EAN-13 misreads whose check digit happened to pass (docs/decisions.md).
  const ZXING_OPTIONS = { formats: ['Code128', 'EAN13', 'EAN8', 'UPCA', 'ITF'], tryHarder: true, minLineCount: 3, textMode: 'Plain', maxNumberOfSymbols: 4 };

  const loadScript = (src) =>
    new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`cannot load ${src}`));
      document.head.appendChild(script);
    });

  // A label often holds several barcodes: the one nearest the middle of the frame, where the
  // viewfinder is, is the one the packer aims at.
  const nearestMiddle = (reads, width, height) => {
    let best = null;
    let bestDistance = Infinity;
    for (const read of reads) {
      const d = read.center ? Math.hypot(read.center.x - width / 2, read.center.y - height / 2) : Infinity;
      if (best === null || d < bestDistance) {
        best = read;
        bestDistance = d;
      }
    }
    return best?.text ?? null;
  };

  const nativeDecoder = async () => {
    if (!('BarcodeDetector' in window)) return null;
    try {
      const supported = await window.BarcodeDetector.getSupportedFormats();
      const formats = NATIVE_FORMATS.filter((f) => supported.includes(f));
      if (!formats.includes('code_128')) return null;
      const detector = new window.BarcodeDetector({ formats });
      return {
        name: 'native',
        read: async (video) => {
          const found = await detector.detect(video);
          const reads = found.map((b) => ({ text: b.rawValue, center: { x: b.boundingBox.x + b.boundingBox.width / 2, y: b.boundingBox.y + b.boundingBox.height / 2 } }));
          return nearestMiddle(reads, video.videoWidth, video.videoHeight);
        },
      };
    } catch {
      return null;
    }
  };

  let zxingReady = null;
  const zxingDecoder = async () => {
    zxingReady ??= loadScript(`${VENDOR}zxing-reader.js`).then(() =>
      window.ZXingWASM.prepareZXingModule({
        // Never the package's default CDN: the .wasm comes from this server.
        overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? VENDOR + path : prefix + path) },
        fireImmediately: true,
      }),
    );
    try {
      await zxingReady;
    } catch (err) {
      zxingReady = null;
      throw err;
    }
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
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
        const found = await window.ZXingWASM.readBarcodes(context.getImageData(0, 0, width, height), ZXING_OPTIONS);
        const reads = found
          .filter((r) => r.isValid)
          .map((r) => {
            const p = r.position;
            return { text: r.text, center: { x: (p.topLeft.x + p.topRight.x + p.bottomRight.x + p.bottomLeft.x) / 4, y: (p.topLeft.y + p.topRight.y + p.bottomRight.y + p.bottomLeft.y) / 4 } };
          });
        return nearestMiddle(reads, width, height);
      },
    };
  };

  // The next frame the camera delivers (requestVideoFrameCallback), so that two successive reads
  // really are two frames; browsers without it get the next animation frame.
  const nextFrame = (video) =>
    new Promise((resolve) => {
      if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => resolve());
      else requestAnimationFrame(() => resolve());
    });

  const attach = ({ button, container, onCode, onError }) => {
    if (!button || !container) return;
    // Browsers give the camera to secure contexts only (HTTPS, localhost): on the LAN's plain HTTP
    // the page says where it works (the station's HTTPS address) instead of offering a dead button.
    if (!window.isSecureContext) {
      const note = document.getElementById('camera-https');
      if (note) note.hidden = false;
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia) return;
    button.hidden = false;
    const video = container.querySelector('video');
    const finder = container.querySelector('.camera-finder');
    const torch = container.querySelector('.camera-torch');
    const label = button.textContent;
    let session = null;
    let decoder = null;

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

    const run = async (current) => {
      const filter = window.BarcodeCheck.createReadFilter();
      let failures = 0;
      while (session === current) {
        await nextFrame(video);
        if (session !== current) return;
        let text = null;
        try {
          text = await decoder.read(video);
          failures = 0;
        } catch {
          // A native detector that lists Code 128 but fails on every frame: ZXing takes over.
          if (++failures >= 10 && decoder.name === 'native') {
            try {
              decoder = await zxingDecoder();
              container.dataset.decoder = decoder.name;
            } catch {
              stop();
              onError(button.dataset.decoderFailed);
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
        try {
          decoder ??= (await nativeDecoder()) ?? (await zxingDecoder());
        } catch {
          onError(button.dataset.decoderFailed);
          return;
        }
        let stream;
        try {
          stream = await navigator.mediaDevices.getUserMedia({
            audio: false,
            video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
          });
        } catch {
          onError(button.dataset.unavailable);
          return;
        }
        const current = { stream };
        session = current;
        container.dataset.decoder = decoder.name;
        container.hidden = false;
        video.srcObject = stream;
        try {
          await video.play();
        } catch {
          stop();
          onError(button.dataset.unavailable);
          return;
        }
        if (session !== current) return;
        const track = stream.getVideoTracks()[0];
        // A camera unplugged or taken by another app ends the track: the station says so.
        track?.addEventListener('ended', () => {
          if (session !== current) return;
          stop();
          onError(button.dataset.unavailable);
        });
        torch.hidden = !track?.getCapabilities?.().torch;
        button.textContent = button.dataset.stop;
        button.setAttribute('aria-expanded', 'true');
        void run(current);
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
  };
  window.StationCamera = { attach };
})();
