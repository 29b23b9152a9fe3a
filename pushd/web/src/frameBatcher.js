// Frame batching of live updates: at most one frame of delay, at most one batch per frame. No React.

// Falls back to a timer when frames stop (hidden tab), so queued updates still apply and do not pile up.
export const HIDDEN_FALLBACK_MS = 250;

// Calls callback at the next animation frame (or after HIDDEN_FALLBACK_MS, whichever is first); returns a cancel.
export function nextFrame(callback, win = globalThis) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    if (frame !== null) win.cancelAnimationFrame?.(frame);
    clearTimeout(timer);
    callback();
  };
  const frame = typeof win.requestAnimationFrame === 'function' ? win.requestAnimationFrame(run) : null;
  const timer = setTimeout(run, HIDDEN_FALLBACK_MS);
  return () => {
    done = true;
    if (frame !== null) win.cancelAnimationFrame?.(frame);
    clearTimeout(timer);
  };
}

// A batcher passing items to apply(batch): an item arriving while no frame is pending is applied at once
// (an isolated update waits for nothing) and opens a frame window; items arriving within that window are
// queued and applied together at the next frame. So no item waits more than one frame, and a burst costs
// at most one apply per frame. schedule(callback) -> cancel is injectable for tests.
export function createFrameBatcher(apply, schedule = nextFrame) {
  let queue = [];
  let cancelFrame = null;

  // The frame of the window: applies what queued up in it, and keeps the window open while items keep coming.
  function onFrame() {
    cancelFrame = null;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    cancelFrame = schedule(onFrame);
    apply(batch);
  }

  return {
    // Applies item now, or with the others of this frame when a frame window is open.
    push(item) {
      if (cancelFrame !== null) {
        queue.push(item);
        return;
      }
      cancelFrame = schedule(onFrame);
      apply([item]);
    },
    // Applies whatever is queued now (e.g. before the socket is replaced).
    flush() {
      if (queue.length === 0) return;
      const batch = queue;
      queue = [];
      apply(batch);
    },
    // Drops queued items and the pending frame (the dashboard unmounts).
    cancel() {
      cancelFrame?.();
      cancelFrame = null;
      queue = [];
    },
    // Items waiting for the next frame.
    get pending() {
      return queue.length;
    },
  };
}
