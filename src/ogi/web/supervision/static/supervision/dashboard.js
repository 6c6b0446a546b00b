// The dashboard's charts, drawn from the figures the page carries as JSON (no inline script).
(function () {
  var el = document.getElementById("chart-data");
  if (!el || !window.Chart) return;
  var d = JSON.parse(el.textContent);
  Chart.defaults.animation = false;  // printed pages and screenshots show the final state
  Chart.defaults.font.family = '"Noto Sans CJK SC","Microsoft YaHei",sans-serif';
  var ind = function (id) { return d.indicators.filter(function (i) { return i.id === id; })[0]; };
  new Chart(document.getElementById("chart-received"), {type: "bar",
    data: {labels: d.years, datasets: [{label: ind("received").short, data: ind("received").values, backgroundColor: "#b71c1c"}]},
    options: {maintainAspectRatio: false, plugins: {legend: {display: false}}}});
  var pct = function (v) { return v === null ? null : Math.round(v * 1000) / 10; };
  new Chart(document.getElementById("chart-rates"), {type: "line",
    data: {labels: d.years, datasets: [
      {label: ind("disclosure_rate").short + "（%）", data: ind("disclosure_rate").values.map(pct), borderColor: "#b71c1c", backgroundColor: "#b71c1c"},
      {label: ind("correction_rate").short + "（%）", data: ind("correction_rate").values.map(pct), borderColor: "#0a3069", backgroundColor: "#0a3069"}]},
    // A rate of 100 % or 0 % is drawn on the frame itself: not clipped to half a line.
    options: {maintainAspectRatio: false, datasets: {line: {clip: false}}, scales: {y: {min: 0, max: 100}}}});
  var colours = {on_time: "#2da44e", late: "#d4a72c", not_found: "#cf222e", undated: "#8c959f"};
  new Chart(document.getElementById("chart-timeliness"), {type: "bar",
    data: {labels: d.levels, datasets: d.status.map(function (s) { return {label: s.label, data: s.values, backgroundColor: colours[s.key]}; })},
    options: {maintainAspectRatio: false, scales: {x: {stacked: true}, y: {stacked: true, ticks: {precision: 0}}}}});
})();
