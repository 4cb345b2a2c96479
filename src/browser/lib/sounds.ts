// The scan sounds, one for each page that scans (the packing station, Outbound and its verify view,
// the scan fields): a short high tone says ok, two short ones a duplicate, a low buzz an error.
// Muted per user in My account (`data-sounds="off"` on the body).

let audio: AudioContext | null = null;

function tone(context: AudioContext, freq: number, start: number, length: number, type: OscillatorType = 'sine'): void {
  const osc = context.createOscillator();
  const gain = context.createGain();
  osc.type = type;
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.2, context.currentTime + start);
  gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + start + length);
  osc.connect(gain).connect(context.destination);
  osc.start(context.currentTime + start);
  osc.stop(context.currentTime + start + length);
}

const SOUNDS: Record<string, (context: AudioContext) => void> = {
  ok: (c) => tone(c, 1200, 0, 0.09),
  duplicate: (c) => {
    tone(c, 700, 0, 0.07);
    tone(c, 700, 0.12, 0.07);
  },
  error: (c) => tone(c, 180, 0, 0.45, 'square'),
};

/** Plays the sound of an answer's kind (ok, duplicate, error); any other kind plays nothing. */
export function playSound(kind: string): void {
  if (document.body.dataset.sounds === 'off') return;
  try {
    audio ||= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
    if (Object.hasOwn(SOUNDS, kind)) SOUNDS[kind]!(audio);
  } catch {
    // No audio device: the words and colour still say it.
  }
}
