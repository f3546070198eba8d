/* global document, window, Chart */
// Runs inside the report (no network, no modules): draws every chart of the embedded model with
// the bundled Chart.js, then records on each canvas how many points each series rendered, so a
// browser test can compare them with the evidence package.
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('qfs-model').textContent);
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  var rendered = [];

  function datasetsOf(spec) {
    return spec.series.map(function (s, i) {
      var color = s.color || palette[i % palette.length];
      var ds = {
        label: s.name,
        data: s.data,
        borderColor: color,
        backgroundColor: spec.type === 'line' ? color : color + 'cc',
        pointRadius: spec.type === 'scatter' ? 5 : 2,
        borderWidth: spec.type === 'bar' ? 0 : 2,
        spanGaps: false,
      };
      if (s.dashed) ds.borderDash = [6, 4];
      if (s.pointStyle) ds.pointStyle = s.pointStyle;
      if (s.type) ds.type = s.type;
      if (s.axis) ds.yAxisID = s.axis;
      if (s.hollow) ds.backgroundColor = 'rgba(0,0,0,0)';
      return ds;
    });
  }

  function axis(spec, which) {
    var a = { title: { display: true, text: which === 'x' ? spec.xLabel : spec.yLabel } };
    if (which === 'x' && spec.type === 'scatter') {
      a.type = 'linear';
      a.ticks = { stepSize: 1, precision: 0 };
    }
    if (which === 'y' && spec.yLog) a.type = 'logarithmic';
    if (which === 'x' && spec.xMin !== undefined) a.min = spec.xMin;
    if (which === 'x' && spec.xMax !== undefined) a.max = spec.xMax;
    if (which === 'y' && spec.yCategories) {
      // One row per category: ticks at the integers (a linear axis would put them at min + k).
      a.type = 'linear';
      a.min = -0.5;
      a.max = spec.yCategories.length - 0.5;
      a.reverse = true;
      a.afterBuildTicks = function (scale) {
        scale.ticks = spec.yCategories.map(function (_, i) {
          return { value: i };
        });
      };
      a.ticks = {
        autoSkip: false,
        callback: function (v) {
          return spec.yCategories[v] === undefined ? '' : spec.yCategories[v];
        },
      };
    }
    if (spec.stacked) a.stacked = true;
    if (which === 'y' && spec.yPercent) {
      a.ticks = {
        callback: function (v) {
          return v + '%';
        },
      };
    }
    return a;
  }

  function scales(spec) {
    var out = { x: axis(spec, 'x'), y: axis(spec, 'y') };
    if (spec.y2Label) out.y2 = { position: 'right', title: { display: true, text: spec.y2Label }, grid: { drawOnChartArea: false } };
    return out;
  }

  function tooltipLabel(spec) {
    return function (ctx) {
      var raw = ctx.raw;
      if (spec.yCategories && raw && raw.label) return raw.label;
      var y = ctx.parsed.y;
      return ctx.dataset.label + ': ' + (spec.yPercent ? y + '%' : y.toLocaleString('en-US', { maximumFractionDigits: 6 }));
    };
  }

  model.charts.forEach(function (spec) {
    var canvas = document.getElementById('chart-' + spec.id);
    var chart = new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels || undefined, datasets: datasetsOf(spec) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: spec.type === 'scatter' ? 'nearest' : 'index', intersect: spec.type === 'scatter' },
        scales: scales(spec),
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: tooltipLabel(spec) } },
        },
      },
    });
    // A point counts when Chart.js placed it on the canvas (a null value is a gap, not a point).
    var counts = chart.data.datasets.map(function (_, i) {
      var meta = chart.getDatasetMeta(i);
      var axis = meta.vScale ? meta.vScale.axis : 'y';
      return meta.data.filter(function (el, j) {
        var parsed = meta._parsed[j];
        return parsed && parsed[axis] !== null && isFinite(parsed[axis]) && !el.skip && isFinite(el.x) && isFinite(el.y);
      }).length;
    });
    canvas.setAttribute('data-series-points', JSON.stringify(counts));
    canvas.setAttribute('data-rendered', 'true');
    rendered.push({ id: spec.id, points: counts });
  });
  window.qfsReport = { charts: rendered, done: true };
})();
