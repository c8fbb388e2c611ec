// The evidence page (/evidence) with htmx: the question is answered without a full reload
// (the form works without this script too). After an answer arrives, focus moves to it so a
// keyboard or screen-reader user lands on the answer; a form sent back with an error (422)
// is shown with its messages; any other outcome (a refusal, an error page, an expired
// session sent to the login page) falls back to an ordinary form submission.
(function () {
  "use strict";

  function isEvidenceForm(element) {
    return element && element.closest && element.closest("form.evidence-form");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = isEvidenceForm(event.detail.elt);
    if (!form) { return; }
    var xhr = event.detail.xhr;
    var landed = "";
    try { landed = new URL(xhr.responseURL).pathname; } catch (e) { landed = ""; }
    if (xhr.status === 422 && landed === "/evidence") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (xhr.status !== 200 || landed !== "/evidence") {
      event.detail.shouldSwap = false;
      form.submit();
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = isEvidenceForm(event.detail.elt);
    if (form) { form.submit(); }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var invalid = document.querySelector(".evidence [aria-invalid='true']");
    var answer = document.getElementById("answer-title");
    if (invalid) {
      invalid.focus();
    } else if (answer) {
      document.getElementById("answer").focus();
    }
  });
})();
