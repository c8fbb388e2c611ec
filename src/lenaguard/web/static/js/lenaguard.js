// lenaguard's own page behaviour, loaded from /static (the Content-Security-Policy allows no
// inline script). Pages work without it; it only adds conveniences.
(function () {
  "use strict";
  // A "print" button: <button data-print>.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) { event.preventDefault(); window.print(); }
  });
})();
