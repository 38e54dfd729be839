// Tahoon console: progressive enhancement only; every page works without it (the server checks
// every form). A form with a confirmation box keeps its button disabled until the box is ticked.
document.querySelectorAll("form[data-confirmed-by]").forEach(function (form) {
  var box = form.querySelector("#" + form.getAttribute("data-confirmed-by"));
  var button = form.querySelector("button[type=submit]");
  if (!box || !button) return;
  var sync = function () { button.disabled = !box.checked; };
  box.addEventListener("change", sync);
  sync();
});
