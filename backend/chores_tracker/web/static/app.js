// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // The browser's zone: a new family's zone, and the zone of pages before there is a family.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("ct_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "ct_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* an old browser: UTC it is */ }

  document.addEventListener("DOMContentLoaded", function () {
    // Copy buttons appear only where copying can work.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      var label = button.querySelector("span");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          if (label) label.textContent = "Copied";
          setTimeout(function () { if (label) label.textContent = "Copy"; }, 2000);
        });
      });
    });
  });

  // A last question before deleting something.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
