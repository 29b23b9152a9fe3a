// The chart chunk (EngagementChart with uPlot, kept out of the JS the first screen waits for): main.jsx requests
// it as soon as it runs, so it has usually arrived by the time a chart renders; until then a placeholder shows.
import { useEffect, useState } from 'react';

let request = null;
let loaded = null;

// Requests the chart chunk once (again after a failure); resolves to EngagementChart, or null when it failed.
export function loadChartChunk() {
  request ??= import('../components/EngagementChart.jsx').then(
    (module) => {
      loaded = module.EngagementChart;
      return loaded;
    },
    () => {
      request = null;
      return null;
    },
  );
  return request;
}

// The EngagementChart component once its chunk has arrived, else null (the caller re-renders when it arrives).
export function useChartChunk() {
  const [component, setComponent] = useState(() => loaded);
  useEffect(() => {
    if (component) return undefined;
    let current = true;
    loadChartChunk().then((arrived) => {
      if (current && arrived) setComponent(() => arrived);
    });
    return () => {
      current = false;
    };
  }, [component]);
  return component;
}
