// The live quote: as the request's fields change, the form is sent to
// /customer/quote and the priced lines replace the quote box. Without
// script, the "Show the quote" button does the same with a page load.
(function () {
  "use strict";
  var form = document.getElementById("request");
  var box = document.getElementById("quote");
  if (!form || !box || !window.fetch || !window.FormData) { return; }
  var timer = null, seq = 0;
  function update() {
    var my = ++seq;
    var body = new URLSearchParams(new FormData(form));
    fetch("/customer/quote", { method: "POST", body: body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" } })
      .then(function (r) { return r.ok || r.status === 422 ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (my === seq) { box.innerHTML = html; box.setAttribute("data-seq", String(my)); } })
      .catch(function () { /* the button still works */ });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(update, 200); }
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  var btn = document.getElementById("show-quote");
  if (btn) { btn.hidden = true; }
  update();
})();
