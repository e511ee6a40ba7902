// Organisation selects marked data-module="app-autocomplete" become a type-ahead (GOV.UK's
// accessible-autocomplete, as NHS.UK services use it). Without JavaScript they stay selects, and the
// server still checks every value, so this only makes choosing quicker.
const autocomplete = window.accessibleAutocomplete;
if (autocomplete) {
  for (const select of document.querySelectorAll('select[data-module="app-autocomplete"]')) {
    const options = {
      selectElement: select,
      showAllValues: false,
      minLength: 2,
      autoselect: false,
      confirmOnBlur: false,
    };
    // The select's empty choice ("Choose an organisation") is not a value to show in the box.
    if (select.value === "") options.defaultValue = "";
    autocomplete.enhanceSelectElement(options);
  }
}
