// The REMS pages' small conveniences (the pages work without them; the Content-Security-Policy
// allows no inline script, so this file is loaded from /static).
(function () {
  "use strict";
  // Enrollment: hide the females-only reproductive history while "Male" is chosen.
  function syncFemaleOnly() {
    var male = document.querySelector('input[name="sex"][value="male"]');
    document.querySelectorAll("[data-female-only]").forEach(function (box) {
      box.hidden = Boolean(male && male.checked);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "sex") { syncFemaleOnly(); }
  });
  // After a refused form, move focus to the summary of problems so it is read out first.
  document.addEventListener("DOMContentLoaded", function () {
    syncFemaleOnly();
    var problems = document.getElementById("form-problems");
    if (problems) { problems.focus(); }
  });
})();
