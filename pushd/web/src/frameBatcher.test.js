// Unit tests of the frame batcher: isolated updates at once, bursts once per frame, never later than a frame.
import { describe, expect, it, vi } from 'vitest';
import { createFrameBatcher, nextFrame, HIDDEN_FALLBACK_MS } from './frameBatcher.js';

// A manual frame clock: schedule() queues callbacks, tick() runs the frame.
function manualFrames() {
  let callbacks = [];
  return {
    schedule(callback) {
      callbacks.push(callback);
      return () => {
        callbacks = callbacks.filter((queued) => queued !== callback);
      };
    },
    tick() {
      const due = callbacks;
      callbacks = [];
      for (const callback of due) callback();
    },
    get scheduled() {
      return callbacks.length;
    },
  };
}

describe('createFrameBatcher', () => {
  it('applies an isolated item at once', () => {
    const frames = manualFrames();
    const applied = [];
    const batcher = createFrameBatcher((batch) => applied.push(batch), frames.schedule);
    batcher.push(1);
    expect(applied).toEqual([[1]]);
    frames.tick();
    frames.tick();
    batcher.push(2);
    expect(applied).toEqual([[1], [2]]);
  });

  it('applies the rest of a burst together at the next frame, in order', () => {
    const frames = manualFrames();
    const applied = [];
    const batcher = createFrameBatcher((batch) => applied.push(batch), frames.schedule);
    for (const item of [1, 2, 3, 4]) batcher.push(item);
    expect(applied).toEqual([[1]]);
    expect(batcher.pending).toBe(3);
    frames.tick();
    expect(applied).toEqual([[1], [2, 3, 4]]);
    batcher.push(5);
    expect(applied).toEqual([[1], [2, 3, 4]]);
    frames.tick();
    expect(applied).toEqual([[1], [2, 3, 4], [5]]);
    frames.tick();
    expect(frames.scheduled).toBe(0);
  });

  it('flushes on demand and drops everything on cancel', () => {
    const frames = manualFrames();
    const applied = [];
    const batcher = createFrameBatcher((batch) => applied.push(batch), frames.schedule);
    batcher.push(1);
    batcher.push(2);
    batcher.flush();
    expect(applied).toEqual([[1], [2]]);
    batcher.push(3);
    batcher.cancel();
    frames.tick();
    expect(applied).toEqual([[1], [2]]);
    expect(frames.scheduled).toBe(0);
  });
});

describe('nextFrame', () => {
  it('runs once at the animation frame', () => {
    vi.useFakeTimers();
    try {
      let frame = null;
      const win = { requestAnimationFrame: (callback) => { frame = callback; return 7; }, cancelAnimationFrame: vi.fn() };
      const callback = vi.fn();
      nextFrame(callback, win);
      frame();
      vi.advanceTimersByTime(HIDDEN_FALLBACK_MS);
      expect(callback).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('falls back to a timer when no frame comes (hidden tab), and can be cancelled', () => {
    vi.useFakeTimers();
    try {
      const win = { requestAnimationFrame: () => 1, cancelAnimationFrame: vi.fn() };
      const callback = vi.fn();
      nextFrame(callback, win);
      vi.advanceTimersByTime(HIDDEN_FALLBACK_MS);
      expect(callback).toHaveBeenCalledTimes(1);
      expect(win.cancelAnimationFrame).toHaveBeenCalledWith(1);
      const cancelled = vi.fn();
      nextFrame(cancelled, win)();
      vi.advanceTimersByTime(HIDDEN_FALLBACK_MS);
      expect(cancelled).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
