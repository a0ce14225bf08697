// The directory's map: the points found, as circles (no marker images), over OpenStreetMap tiles where they load.
// Without tiles (or offline) the circles still show; without this script the page is the list alone.
(function () {
  "use strict";
  var box = document.getElementById("map");
  var data = document.getElementById("map-points");
  if (!box || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent || "[]");
  if (!points.length) { return; }
  box.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(box.dataset.tiles, {
    maxZoom: 18,
    attribution: "&copy; OpenStreetMap contributors"
  }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], { radius: 6, weight: 2, color: p.status === "active" ? "#0b6e69" : "#9a5b00" });
    var link = document.createElement("a");
    link.href = "/web/points/" + p.id;
    link.textContent = p.name;  // text, never HTML: a name cannot inject markup
    marker.bindPopup(link);
    marker.addTo(map);
    bounds.push([p.lat, p.lon]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 });
  box.classList.add("ready");
})();
