// The station's camera: reads barcodes from the phone or webcam and hands each new code to the
// page's scan line. The page gives it its button, a container for the video and two callbacks.
(() => {
  const attach = ({ button, container, onCode, onError }) => {
    if (!button || !container) return;
    if (navigator.mediaDevices?.getUserMedia) button.hidden = false;
    let running = false;
    let last = { code: '', at: 0 };
    const label = button.textContent;
    const stop = () => {
      if (!running) return;
      window.Quagga.stop();
      running = false;
      container.hidden = true;
      container.innerHTML = '';
      button.textContent = label;
    };
    const start = () => {
      container.hidden = false;
      window.Quagga.init(
        {
          inputStream: { type: 'LiveStream', target: container, constraints: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } } },
          decoder: { readers: ['code_128_reader', 'ean_reader'] },
          locate: true,
        },
        (err) => {
          if (err) {
            container.hidden = true;
            onError(button.dataset.unavailable);
            return;
          }
          window.Quagga.start();
          running = true;
          button.textContent = button.dataset.stop;
        },
      );
    };
    button.addEventListener('click', () => {
      if (running) return stop();
      if (window.Quagga) return start();
      const script = document.createElement('script');
      script.src = '/public/vendor/quagga.min.js';
      script.onload = () => {
        window.Quagga.onDetected((result) => {
          const code = result?.codeResult?.code;
          if (!code) return;
          const now = performance.now();
          // The same symbol is read many times a second: one scan per code every 3 s.
          if (code === last.code && now - last.at < 3000) return;
          last = { code, at: now };
          onCode(code);
        });
        start();
      };
      document.head.appendChild(script);
    });
  };
  window.StationCamera = { attach };
})();
