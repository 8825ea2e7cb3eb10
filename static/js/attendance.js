// Live due / present / absent counts on the activity form; the server
// counts again from the picks, this only helps the person filling it in.
(function () {
  function update() {
    var rows = document.querySelectorAll(".attendance .att-row");
    var present = document.querySelectorAll(".attendance input[name=present]:checked").length;
    var out = document.querySelector(".att-count");
    if (out) out.textContent = "应到 " + rows.length + " 人，实到 " + present + " 人，缺席 " + (rows.length - present) + " 人";
  }
  document.addEventListener("change", function (e) { if (e.target.name === "present") update(); });
  document.addEventListener("htmx:afterSwap", update);
  document.addEventListener("DOMContentLoaded", update);
})();
