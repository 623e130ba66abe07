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
    words.dataset.i18n = "strengthEmpty";
    return;
  }
  pending.set(input, setTimeout(async () => {
    const scored = input.value;
    try {
      const estimate = await api("POST", "/api/auth/password/strength", { password: scored });
      // Answers can come back out of order on a slow link: an answer for an earlier prefix of what is typed now
      // would call a good password weak, so only the answer for the current text is shown.
      if (input.value !== scored) return;
      const level = !estimate.acceptable ? (estimate.log10Guesses < estimate.minimumLog10Guesses * 0.7 ? "strengthWeak" : "strengthFair")
        : estimate.log10Guesses < estimate.minimumLog10Guesses * 1.5 ? "strengthGood" : "strengthGreat";
      meter.value = Math.min(1, estimate.log10Guesses / (estimate.minimumLog10Guesses * 1.5));
      words.textContent = t(level);
      // The key, so a language switch (which redraws every data-i18n node) keeps the verdict.
      words.dataset.i18n = level;
    } catch {
      words.textContent = "";
    }
  }, 300));
}
