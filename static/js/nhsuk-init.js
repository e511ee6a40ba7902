// Starts the NHS.UK frontend's components. A file rather than an inline script, so the Content
// Security Policy can refuse every inline script. The module's (hashed) address comes from the
// script element, since static files get hashed names in production.
const script = document.querySelector("script[data-nhsuk-frontend]");
import(script.dataset.nhsukFrontend).then(({ initAll }) => initAll());
