/* Draws the dashboard charts from the JSON the page carries, again after
   every htmx swap, and keeps them sized to their cards. */
(function () {
  "use strict";
  var charts = [];
  var RED = "#b71c1c", GOLD = "#d4a106", BLUE = "#0b5cad", GREEN = "#2e7d32";
  // Tooltips drawn on the canvas: ECharts' HTML tooltips write style
  // attributes, which the Content-Security-Policy (no inline styles) refuses.
  var TOOLTIP_MODE = "richText";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; }

  function hasValues(rows) {
    return rows.some(function (r) { return r.org_coverage !== null || r.work_coverage !== null; });
  }

  // A line needs two points: a month on its own (the first month of the
  // nightly statistics) is drawn as a solid dot with its value, not a hollow speck.
  function trendSeries(name, data) {
    var points = data.filter(function (v) { return v !== null; }).length;
    var series = { name: name, type: "line", connectNulls: true, data: data };
    if (points <= 1) {
      series.symbol = "circle";
      series.symbolSize = 10;
      series.label = { show: true, position: "top", formatter: "{c}%" };
    }
    return series;
  }

  function trendOption(rows) {
    return {
      title: hasValues(rows) ? { show: false } : { text: "暂无趋势数据", left: "center", top: "middle", textStyle: { color: "#6b7785", fontSize: 14, fontWeight: "normal" } },
      color: [RED, BLUE, GREEN, GOLD],
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { top: 0, data: ["组织覆盖率", "工作覆盖率", "单独组建率"] },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.month.slice(2).replace("-", "/"); }) },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10); }, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        trendSeries("组织覆盖率", rows.map(function (r) { return pct(r.org_coverage); })),
        trendSeries("工作覆盖率", rows.map(function (r) { return pct(r.work_coverage); })),
        trendSeries("单独组建率", rows.map(function (r) { return pct(r.own_org_rate); }))
      ]
    };
  }

  function starsOption(rows) {
    return {
      color: [GOLD],
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE },
      grid: { left: 70, right: 30, top: 10, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.stars ? r.stars + "星" : r.label; }) },
      series: [{ name: "党组织数", type: "bar", barMaxWidth: 22, label: { show: true, position: "right" },
        data: rows.map(function (r) { return r.count; }) }]
    };
  }

  function draw() {
    if (!window.echarts) { return; }
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      var rows = readJSON("data-" + kind);
      if (!rows) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(kind === "trend" ? trendOption(rows) : starsOption(rows));
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    var printButton = document.getElementById("print-button");
    if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  });
  document.addEventListener("htmx:afterSettle", draw);
  // Keep the pushed URL short and live: no empty filters, and no date when
  // it is today's (a bookmark of "the latest figures" must not freeze a day).
  document.addEventListener("htmx:configRequest", function (evt) {
    var form = evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("form.dash-filters");
    if (!form) { return; }
    var params = evt.detail.parameters;
    Object.keys(params).forEach(function (name) {
      var value = params[name];
      if (value === "" || (name === "date" && value === form.getAttribute("data-today"))) { delete params[name]; }
    });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
