// The weekly grid: press on a box and drag to tick (or untick) every box you pass. Without this script each box
// is an ordinary checkbox, which works with a mouse, a finger and the keyboard.
(function () {
  "use strict";
  var grid = document.getElementById("week-grid");
  if (!grid) { return; }
  var painting = null;
  function box(event) {
    var target = event.target.closest ? event.target.closest("td") : null;
    return target ? target.querySelector("input[type=checkbox]") : null;
  }
  grid.addEventListener("pointerdown", function (event) {
    var input = box(event);
    if (!input) { return; }
    event.preventDefault();
    painting = !input.checked;
    input.checked = painting;
  });
  grid.addEventListener("pointerover", function (event) {
    var input = box(event);
    if (input && painting !== null) { input.checked = painting; }
  });
  grid.addEventListener("click", function (event) {
    if (box(event) && event.detail > 0) { event.preventDefault(); }  // a pointer's press has ticked it already
  });
  document.addEventListener("pointerup", function () { painting = null; });
  document.addEventListener("pointercancel", function () { painting = null; });  // a finger scrolling instead
})();
