// Behaviour the pages share, loaded as a file so that the pages carry no inline script.
document.addEventListener("change", function (e) {
  // A select marked data-autosubmit sends its form when the choice changes (year pickers).
  var t = e.target;
  if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) t.form.submit();
});
