// Behaviour the pages share, loaded as a file so that the pages carry no inline script.
document.addEventListener("change", function (e) {
  // A select marked data-autosubmit sends its form when the choice changes (year pickers).
  var t = e.target;
  if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) t.form.submit();
});

document.addEventListener("htmx:beforeSwap", function (e) {
  // A refusal (a text too long, a report in review) carries its reason as text: shown where
  // the answer would have gone, instead of being dropped while the page still says saved.
  var xhr = e.detail.xhr;
  if (xhr.status >= 400 && xhr.status < 500 && e.detail.target) {
    e.detail.shouldSwap = false;
    var box = document.createElement("div");
    box.className = "msg error";
    box.setAttribute("role", "alert");
    box.textContent = xhr.responseText;
    e.detail.target.replaceChildren(box);
  }
});
