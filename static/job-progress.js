// A running job's page fetches itself every two seconds and replaces only its
// progress section, instead of reloading: the reader keeps their place and focus,
// and the status region announces the change. Without JavaScript the page offers
// a "Reload now" link.
(function () {
  "use strict";
  var section = document.getElementById("job-state");
  if (!section || section.getAttribute("data-running") !== "true") { return; }
  function update() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-state");
        if (!fresh) { return; }
        section.innerHTML = fresh.innerHTML;
        section.setAttribute("data-running", fresh.getAttribute("data-running"));
        if (fresh.getAttribute("data-running") === "true") { window.setTimeout(update, 2000); }
      })
      .catch(function () { window.setTimeout(update, 2000); });
  }
  window.setTimeout(update, 2000);
})();
