// The live uPlot chart of engagement rate over time: the persona's pooled rate and each top variant.
// Part of the first screen: drawn in the commit that shows the first rows (uPlot is a file of its own, preloaded).
import { memo, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns, chartVariantIds, xRange, yRange } from '../chartData.js';
import { formatAxisTime, formatCount, formatTooltipTime, zoneName } from '../format.js';
import { nextFrame } from '../frameBatcher.js';

const CHART_HEIGHT = 260;
const AXIS_COLOUR = '#8b919c';
const GRID_COLOUR = 'rgba(139, 145, 156, 0.18)';
const VARIANT_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7'];
const POOLED_COLOUR = '#9c9c9c';
// Redraws at most this often: a redraw (canvas text above all) costs milliseconds the next update would wait for.
const REDRAW_INTERVAL_MS = 250;

// Draws the chart's memory (chartData.js) over the last rangeSeconds, variant labels from labelById (else the
// series' own content); recreated when the series change. The first drawing, and each that brings a history
// answer in, are part of their commit (the first is on the same frame as the rows around it); live updates
// are drawn at an animation frame, at most every REDRAW_INTERVAL_MS, never inside their commit. Hovering shows
// time, rate and views.
export const EngagementChart = memo(function EngagementChart({ chart: model, labelById, rangeSeconds, testId = 'chart' }) {
  const containerRef = useRef(null);
  const latestRef = useRef(null);
  const drawRef = useRef(null);
  const tooltipRef = useRef(null);

  // The plot, its series key and the pending frame live across renders; the last render's props win.
  useLayoutEffect(() => {
    const container = containerRef.current;
    const chart = {
      plot: null,
      seriesKey: null,
      drawnHistoryTo: null,
      cancelFrame: null,
      observer: null,
      drawnAt: -Infinity,
      views: [],
      range: 3600,
      tooltip: tooltipRef.current,
    };
    const draw = () => {
      chart.cancelFrame = null;
      chart.drawnAt = performance.now();
      const { model: memory, labelById: labels, rangeSeconds: range } = latestRef.current;
      const variantIds = chartVariantIds(memory);
      const seriesKey = `${range}\u0000${variantIds.join('\u0000')}`;
      const { data, views } = chartColumns(memory, variantIds);
      chart.views = views;
      chart.range = range;
      chart.drawnHistoryTo = memory.historyTo;
      container.dataset.history = String(memory.historyTo !== null);
      container.dataset.historyTo = String(memory.historyTo ?? '');
      container.dataset.points = String(data[0].length);
      container.dataset.first = String(data[0][0] ?? '');
      container.dataset.last = String(data[0][data[0].length - 1] ?? '');
      if (chart.plot && chart.seriesKey === seriesKey) {
        chart.plot.setData(data);
        return;
      }
      chart.plot?.destroy();
      const names = variantIds.map((id) => labels.get(id) ?? memory.variants[id]?.content ?? id);
      chart.plot = new uPlot(chartOptions(variantIds, names, container.clientWidth, chart), data, container);
      chart.seriesKey = seriesKey;
      container.dataset.drawn = 'true';
    };
    drawRef.current = () => {
      const { model: memory } = latestRef.current;
      if (chart.plot === null || memory.historyTo !== chart.drawnHistoryTo) {
        chart.cancelFrame?.();
        draw();
        return;
      }
      if (chart.cancelFrame !== null) return;
      const wait = chart.drawnAt + REDRAW_INTERVAL_MS - performance.now();
      if (wait <= 0) {
        chart.cancelFrame = nextFrame(draw);
        return;
      }
      let cancelNext = null;
      const timer = setTimeout(() => {
        cancelNext = nextFrame(draw);
      }, wait);
      chart.cancelFrame = () => {
        clearTimeout(timer);
        cancelNext?.();
      };
    };
    chart.observer = new ResizeObserver(() => chart.plot?.setSize({ width: container.clientWidth, height: CHART_HEIGHT }));
    chart.observer.observe(container);
    return () => {
      drawRef.current = null;
      chart.cancelFrame?.();
      chart.observer.disconnect();
      chart.plot?.destroy();
    };
  }, []);

  useLayoutEffect(() => {
    latestRef.current = { model, labelById, rangeSeconds };
    drawRef.current?.();
  }, [model, labelById, rangeSeconds]);

  const empty = model.pooled.length === 0 && Object.keys(model.variants).length === 0;
  return (
    <figure className="chart" aria-label={`Engagement rate over time, pooled and per variant (times in ${zoneName()})`}>
      <div ref={containerRef} className="chart__canvas" data-testid={testId} />
      <div ref={tooltipRef} className="chart__tooltip" data-testid={`${testId}-tooltip`} hidden />
      {empty && <figcaption className="empty">The chart fills in as updates arrive.</figcaption>}
    </figure>
  );
});

// Shows the hovered time with the rate and views of each series in the tooltip element (hidden off the plot).
function showTooltip(plot, chart) {
  const tooltip = chart.tooltip;
  const index = plot.cursor.idx;
  if (!tooltip) return;
  if (index === null || index === undefined) {
    tooltip.hidden = true;
    return;
  }
  const lines = [formatTooltipTime(plot.data[0][index], chart.range)];
  plot.series.forEach((series, seriesIndex) => {
    const rate = plot.data[seriesIndex]?.[index];
    if (seriesIndex === 0 || !series.show || typeof rate !== 'number') return;
    lines.push(`${series.label}: ${rate.toFixed(2)}% · ${formatCount(chart.views[seriesIndex - 1]?.[index])} views`);
  });
  tooltip.textContent = lines.join('\n');
  tooltip.hidden = false;
  tooltip.style.left = `${Math.min(plot.cursor.left + 60, plot.over.clientWidth - 120)}px`;
}

// uPlot options: time x axis over the chosen range, percentage y axis from 0, a thick pooled line and one line
// per variant (names), a legend whose entries toggle their line, the tooltip on hover.
function chartOptions(variantIds, names, width, chart) {
  const axis = { stroke: AXIS_COLOUR, grid: { stroke: GRID_COLOUR, width: 1 }, ticks: { stroke: GRID_COLOUR } };
  return {
    width: Math.max(width, 200),
    height: CHART_HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: (plot) => xRange(plot.data[0], chart.range, Date.now() / 1000) },
      y: { range: (plot) => yRange(plot.data.slice(1)) },
    },
    hooks: { setCursor: [(plot) => showTooltip(plot, chart)] },
    axes: [
      { ...axis, space: 80, values: (_, ticks) => ticks.map((tick) => formatAxisTime(tick, chart.range)) },
      { ...axis, size: 56, values: (_, ticks) => ticks.map((tick) => `${tick.toFixed(1)}%`) }],
    series: [
      {},
      { label: 'Pooled', stroke: POOLED_COLOUR, width: 3, dash: [6, 4], spanGaps: true, value: formatLegendValue },
      ...variantIds.map((id, index) => ({
        label: truncate(names[index], 28),
        stroke: VARIANT_COLOURS[index % VARIANT_COLOURS.length],
        width: 1.5,
        spanGaps: true,
        value: formatLegendValue,
      })),
    ],
  };
}

// A legend value: a percentage with two decimals, or a dash when no value at the cursor.
function formatLegendValue(_, value) {
  return value === null || value === undefined ? '—' : `${value.toFixed(2)}%`;
}

// text shortened to at most length characters with an ellipsis.
function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
