// Draws every dashboard chart from the table beside it (data-chart="bar" | "pie"): the table is
// the data, so chart and table always agree, and without JavaScript the table alone remains.
// Horizontal bars keep long Chinese region names readable on a 390 px phone.
(function () {
  "use strict";

  // The four grading colours keep their meaning in the charts (red / yellow / blue / green).
  var GRADING = { red: "#c62828", yellow: "#f9a825", blue: "#1565c0", green: "#2e7d32", ungraded: "#9e9e9e" };

  function number(cell) {
    var text = cell.getAttribute("data-value");
    return text === null || text === "" ? null : Number(text);
  }

  function read(table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    var columns = [];
    heads.forEach(function (th, index) {
      if (th.hasAttribute("data-key") && !th.hasAttribute("data-chart-skip")) {
        columns.push({ index: index, name: th.textContent.trim(), unit: th.getAttribute("data-unit"),
                       key: th.getAttribute("data-key") });
      }
    });
    // One unit per chart: the first column's (counts with counts, money with money).
    var unit = columns.length ? columns[0].unit : "count";
    columns = columns.filter(function (c) { return c.unit === unit; });
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    return {
      unit: unit,
      labels: rows.map(function (tr) { return tr.cells[0].textContent.trim(); }),
      series: columns.map(function (c) {
        return { name: c.name, key: c.key, values: rows.map(function (tr) { return number(tr.cells[c.index]); }) };
      })
    };
  }

  function option(kind, data) {
    var small = window.innerWidth < 640;
    if (kind === "pie") {
      var first = data.series[0];
      return {
        tooltip: { trigger: "item" },
        legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: small ? ["30%", "60%"] : ["35%", "70%"], name: first.name,
                   label: { show: !small }, data: data.labels.map(function (label, i) {
                     return { name: label, value: first.values[i] };
                   }).filter(function (d) { return d.value; }) }]
      };
    }
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: data.labels, inverse: true,
               axisLabel: { width: small ? 96 : 180, overflow: "truncate" } },
      series: data.series.map(function (s) {
        var bar = { type: "bar", name: s.name, data: s.values };
        if (kind === "stack") { bar.stack = "all"; }
        if (GRADING[s.key]) { bar.itemStyle = { color: GRADING[s.key] }; }
        return bar;
      })
    };
  }

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart-for]").forEach(function (box) {
      var table = document.getElementById(box.getAttribute("data-chart-for"));
      if (!table) { return; }
      var kind = table.getAttribute("data-chart");
      var data = read(table);
      if (!data.series.length || !data.labels.length) { return; }
      var bars = kind === "stack" ? 1 : Math.max(1, data.series.length);
      var rows = kind === "pie" ? 8 : data.labels.length * bars;
      box.style.height = Math.min(640, Math.max(220, 60 + rows * 22)) + "px";
      var chart = window.echarts.init(box);
      chart.setOption(option(kind, data));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
