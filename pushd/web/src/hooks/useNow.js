// React hook giving the current time, refreshed on an interval so relative times keep ticking.
import { useEffect, useState } from 'react';

// The current time in milliseconds, updated every intervalMs.
export function useNow(intervalMs) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
