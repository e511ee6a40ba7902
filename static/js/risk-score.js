// The risk form: shows the score and band of each likelihood and consequence as the person chooses
// them. Progressive enhancement: the page works without it (the page that comes back after saving
// shows the score), and the server stays the judge of the score and band it stores.
const container = document.querySelector("[data-risk-bands]");

if (container) {
  const bands = JSON.parse(container.dataset.riskBands); // [[upper score, band, label], …]
  const colours = JSON.parse(container.dataset.bandColours); // {band: NHS tag colour}

  const chosen = (name) => {
    const input = container.querySelector(`input[name="${name}"]:checked`);
    return input ? Number(input.value) : null;
  };

  const show = (kind) => {
    const output = container.querySelector(`[data-risk-score="${kind}"]`);
    if (!output) return;
    const likelihood = chosen(`${kind}_likelihood`);
    const consequence = chosen(`${kind}_consequence`);
    output.textContent = "Score: ";
    if (!likelihood || !consequence) {
      output.append("not worked out until a likelihood and a consequence are chosen.");
      return;
    }
    const score = likelihood * consequence;
    const [, band, label] = bands.find(([upper]) => score <= upper) || bands[bands.length - 1];
    const tag = document.createElement("strong");
    tag.className = `nhsuk-tag nhsuk-tag--${colours[band] || "grey"}`;
    tag.textContent = `${label} ${score}`;
    output.append(tag);
  };

  container.addEventListener("change", (event) => {
    const match = /^(\w+)_(likelihood|consequence)$/.exec(event.target.name || "");
    if (match) show(match[1]);
  });
}
