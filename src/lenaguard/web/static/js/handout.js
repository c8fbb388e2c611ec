// The patient handout page: show the print button (it needs a script, so it starts hidden and
// a browser without scripts still prints from its menu). No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("handout-print");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
