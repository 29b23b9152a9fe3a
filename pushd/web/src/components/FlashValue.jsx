// A value that flashes briefly whenever its change stamp moves (a new event changed it).

// Re-mounts its span on each new stamp so the CSS flash animation plays again.
export function FlashValue({ stamp, children }) {
  return (
    <span key={stamp ?? 'initial'} className={stamp ? 'flash' : undefined}>
      {children}
    </span>
  );
}
