// The scan sounds, one for each page that scans (the packing station, Outbound and its verify view):
// a short high tone says ok, two short ones a duplicate, a low buzz an error. Muted per user in
// My account (`data-sounds="off"` on the body). Loaded before the page's own script.
(() => {
  let audio = null;
  const tone = (freq, start, length, type = 'sine') => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = type;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.2, audio.currentTime + start);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + length);
    osc.connect(gain).connect(audio.destination);
    osc.start(audio.currentTime + start);
    osc.stop(audio.currentTime + start + length);
  };
  const SOUNDS = {
    ok: () => tone(1200, 0, 0.09),
    duplicate: () => {
      tone(700, 0, 0.07);
      tone(700, 0.12, 0.07);
    },
    error: () => tone(180, 0, 0.45, 'square'),
  };
  const play = (kind) => {
    if (document.body.dataset.sounds === 'off') return;
    try {
      audio ||= new AudioContext();
      if (audio.state === 'suspended') audio.resume();
      SOUNDS[kind]?.();
    } catch {
      // No audio device: the words and colour still say it.
    }
  };
  window.ScanSounds = { play };
})();
