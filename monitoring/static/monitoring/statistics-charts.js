// The statistics pages' charts: reads the figures the page prints (the json_script block
// "statistics-chart", the same rows as the table beneath) and draws them with Apache ECharts
// (vendor/echarts.min.js, copied by frontend/build.sh). Without JavaScript, or without the bundle,
// the charts stay hidden and the tables say everything.
(function () {
  "use strict";
  var source = document.getElementById("statistics-chart");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  if (!data.series.length) {
    return;
  }
  var charts = [];
  var places = [["chart-deal-value", "deal_value", "bar"], ["chart-deals", "deals", "line"]];
  // Shown all at once before any is drawn: the grid sizes each place by how many are visible.
  places.forEach(function (place) {
    var element = document.getElementById(place[0]);
    if (element) {
      element.hidden = false;
    }
  });

  function draw(id, key, type) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      title: { text: data.titles[key], left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 56, right: 16, top: 40, bottom: 56 },
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value", minInterval: key === "deals" ? 1 : 0 },
      series: data.series.map(function (entry) {
        return {
          name: entry.name,
          type: type,
          stack: type === "bar" ? "markets" : undefined,
          emphasis: { focus: "series" },
          data: entry[key].map(Number)
        };
      })
    });
    charts.push(chart);
  }

  places.forEach(function (place) { draw(place[0], place[1], place[2]); });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
