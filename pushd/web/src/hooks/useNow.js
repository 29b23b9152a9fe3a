// React hook giving the current time, refreshed on an interval so relative times keep ticking.
import { useEffect, useState } from 'react';

// The current time in milliseconds, updated every intervalMs while running (frozen otherwise: ages on a page
// whose data is not live must not move).
export function useNow(intervalMs, running = true) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, running]);
  return now;
}
