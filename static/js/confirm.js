/* Asks before a destructive submit: <form data-confirm="问题？"> submits only
   when the user agrees (the CSP forbids inline onsubmit handlers). */
(function () {
  "use strict";
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);
})();
