// The strength meter asks the device, so it uses the very estimate and rules a password change enforces
// (house rule: one estimate, not a browser guess that disagrees with the server). Asked after typing pauses.
import { api, t } from "/core.js";

const pending = new WeakMap();

/** Drops a question not yet sent: after a submit the answer would describe a form that has moved on. */
export function cancelScore(input) {
  clearTimeout(pending.get(input));
}

export function scorePassword(input, meter, words) {
  clearTimeout(pending.get(input));
  if (!input.value) {
    meter.value = 0;
    words.textContent = t("strengthEmpty");
    words.dataset.level = "";
    return;
  }
  pending.set(input, setTimeout(async () => {
    try {
      const estimate = await api("POST", "/api/auth/password/strength", { password: input.value });
      const level = !estimate.acceptable ? (estimate.log10Guesses < estimate.minimumLog10Guesses * 0.7 ? "strengthWeak" : "strengthFair")
        : estimate.log10Guesses < estimate.minimumLog10Guesses * 1.5 ? "strengthGood" : "strengthGreat";
      meter.value = Math.min(1, estimate.log10Guesses / (estimate.minimumLog10Guesses * 1.5));
      words.textContent = t(level);
      words.dataset.level = level;
    } catch {
      words.textContent = "";
    }
  }, 300));
}
