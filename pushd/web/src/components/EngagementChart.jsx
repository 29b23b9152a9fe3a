// The live uPlot chart of engagement rate over time: the persona's pooled rate and each top variant.
// A chunk of its own (Dashboard lazy-loads it), so uPlot is not in the JS the first screen waits for.
import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns, chartVariantIds } from '../chartData.js';
import { formatClock } from '../format.js';
import { nextFrame } from '../frameBatcher.js';

const CHART_HEIGHT = 260;
const AXIS_COLOUR = '#8b919c';
const GRID_COLOUR = 'rgba(139, 145, 156, 0.18)';
const VARIANT_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7'];
const POOLED_COLOUR = '#9c9c9c';
// Redraws at most this often: a redraw (canvas text above all) costs milliseconds the next update would wait for.
const REDRAW_INTERVAL_MS = 250;

// Draws history (time-ordered samples) with variant labels from labelById; recreated when the series change.
// Drawing happens at an animation frame, at most every REDRAW_INTERVAL_MS, never inside a live update's commit.
export const EngagementChart = memo(function EngagementChart({ history, labelById }) {
  const containerRef = useRef(null);
  const latestRef = useRef(null);
  const drawRef = useRef(null);

  // The plot, its series key and the pending frame live across renders; the last render's props win.
  useEffect(() => {
    const container = containerRef.current;
    const chart = { plot: null, seriesKey: null, cancelFrame: null, observer: null, drawnAt: -Infinity };
    const draw = () => {
      chart.cancelFrame = null;
      chart.drawnAt = performance.now();
      const { history: samples, labelById: labels } = latestRef.current;
      const variantIds = chartVariantIds(samples);
      const seriesKey = variantIds.join('\u0000');
      const data = chartColumns(samples, variantIds);
      if (chart.plot && chart.seriesKey === seriesKey) {
        chart.plot.setData(data);
        return;
      }
      chart.plot?.destroy();
      chart.plot = new uPlot(chartOptions(variantIds, labels, container.clientWidth), data, container);
      chart.seriesKey = seriesKey;
    };
    drawRef.current = () => {
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

  useEffect(() => {
    latestRef.current = { history, labelById };
    drawRef.current?.();
  }, [history, labelById]);

  return (
    <figure className="chart" aria-label="Engagement rate over time, pooled and per variant">
      <div ref={containerRef} className="chart__canvas" />
      {history.length < 2 && <figcaption className="empty">The chart fills in as updates arrive.</figcaption>}
    </figure>
  );
});

// uPlot options: time x axis, percentage y axis, a thick pooled line and one line per variant.
function chartOptions(variantIds, labelById, width) {
  const axis = { stroke: AXIS_COLOUR, grid: { stroke: GRID_COLOUR, width: 1 }, ticks: { stroke: GRID_COLOUR } };
  return {
    width: Math.max(width, 200),
    height: CHART_HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    axes: [
      { ...axis, space: 80, values: (_, ticks) => ticks.map((tick) => formatClock(new Date(tick * 1000).toISOString())) },
      { ...axis, size: 56, values: (_, ticks) => ticks.map((tick) => `${tick.toFixed(1)}%`) }],
    series: [
      {},
      { label: 'Pooled', stroke: POOLED_COLOUR, width: 3, dash: [6, 4], spanGaps: true, value: formatLegendValue },
      ...variantIds.map((id, index) => ({
        label: truncate(labelById.get(id) ?? id, 28),
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
