// The QR code on a polling-card letter opens /consultations/<slug>/vote#code=…:
// the fragment never reaches the server. Put the code into the form's code field
// and drop it from the address bar, so it does not linger in the history.
(function () {
  "use strict";
  var match = /(?:^#|&)code=([^&]+)/.exec(window.location.hash);
  if (!match) { return; }
  var field = document.querySelector("input[name=code]");
  if (!field) { return; }
  field.value = decodeURIComponent(match[1]).replace(/[^A-Za-z0-9-]/g, "").slice(0, 40);
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
})();
